package dev.junction.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one worker on many threads started together, each with its own {@link Random} drawn from one seed. The seed
 * is new each run and printed; {@code -Djunction.seed=N} repeats a run's choices (not its interleaving).
 */
public final class ConcurrentRun {
    /** One thread's part of the run. */
    public interface Worker {
        void run(Random random) throws Exception;
    }

    private ConcurrentRun() {
    }

    /** The seed of this run, printed under the test's name. */
    public static long seed(String test) {
        long seed = Long.getLong("junction.seed", System.nanoTime());
        System.out.println(test + " seed " + seed);
        return seed;
    }

    /** Runs {@code worker} on {@code threads} threads at once and waits for all; rethrows the first failure. */
    public static void run(int threads, long seed, Worker worker) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> running = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                Random random = new Random(seed + t);
                running.add(pool.submit(() -> {
                    start.await();
                    worker.run(random);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : running) f.get();
        }
    }
}
