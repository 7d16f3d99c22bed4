package dev.junction.engine.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a loop over {@code [0, n)} split into one contiguous range per thread. With one thread the loop runs on the
 * caller, so single-threaded runs pay nothing for the pool. Worker threads are daemons: an engine never keeps the JVM
 * alive.
 */
public final class Parallel implements AutoCloseable {
    /** The body of a parallel loop: handles indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "junction-kernel");
            t.setDaemon(true);
            return t;
        });
    }

    /** Threads used for loops: the caller plus {@code threads - 1} workers. */
    public int threads() {
        return threads;
    }

    /** Threads to use when none are asked for: the available processors. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Runs {@code body} over {@code [0, n)}; ranges are multiples of {@code grain} except the last. */
    public void forRange(int n, int grain, RangeBody body) {
        int chunks = Math.min(threads, Math.ceilDiv(n, Math.max(1, grain)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        int per = Math.ceilDiv(Math.ceilDiv(n, chunks), grain) * grain;
        List<Future<?>> pending = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int from = c * per, to = Math.min(n, from + per);
            if (from < to) pending.add(pool.submit(() -> body.run(from, to)));
        }
        body.run(0, Math.min(n, per));
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during a parallel loop", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
