package dev.junction.engine.runtime;

import dev.junction.engine.model.KvCache;
import dev.junction.inference.Generation;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.InferenceException;
import dev.junction.inference.Prompt;
import dev.junction.inference.Sampling;
import dev.junction.inference.ServiceStats;
import dev.junction.inference.TokenEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The serving core with its engine thread, through {@link LocalInferenceService}: client threads fire requests and
 * cancel them at random moments from other threads — at once (before the engine has seen the request), after a
 * random delay (while it waits, during prefill, between decodes), from its own listener on the engine thread, and
 * after it ended. Every request ends exactly once with one terminal event, and afterwards nothing runs or waits and
 * every block is free or cached.
 */
class ServingConcurrencyTest {
    static final int THREADS = 8;
    static final int PER_THREAD = 150;

    /** A listener that cancels its own generation on a given token (from the engine thread). */
    static final class Client extends Collector {
        final AtomicReference<Generation> handle = new AtomicReference<>();
        final int cancelOnToken;

        Client(int cancelOnToken) {
            this.cancelOnToken = cancelOnToken;
        }

        @Override
        public void onToken(TokenEvent token) {
            super.onToken(token);
            Generation g = handle.get();
            if (tokens.size() == cancelOnToken && g != null) g.cancel();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomCancellationsFromManyThreadsEndEveryRequestExactlyOnce(long seed) throws Exception {
        EngineConfig config = new EngineConfig(4, 2_000, Duration.ofSeconds(30), 128, 4, 48, 16, KvCache.Type.F32);
        fireAndCancel(seed, config, new BlockManager(config.kvBlocks(), config.blockSize()));
    }

    /** The same over a block manager with a window group (window 6) that sequences drop blocks of as they grow. */
    @ParameterizedTest
    @ValueSource(longs = {6, 7, 8})
    void withAWindowGroupToo(long seed) throws Exception {
        EngineConfig config = new EngineConfig(4, 2_000, Duration.ofSeconds(30), 128, 4, 48, 16, KvCache.Type.F32);
        fireAndCancel(seed, config, new BlockManager(config.kvBlocks(), 24, config.blockSize(), 6));
    }

    private static void fireAndCancel(long seed, EngineConfig config, BlockManager blocks) throws Exception {
        FakeModel fake = new FakeModel(CoreHarness.TOKENIZER.vocabSize(), blocks, config.maxRunning())
                .avoid(CoreHarness.TOKENIZER.eos());
        LocalInferenceService service = new LocalInferenceService("fake", CoreHarness.TOKENIZER, null, config, blocks,
                fake, InstantSource.system());
        Queue<Client> accepted = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService cancellers = Executors.newScheduledThreadPool(2);
        ExecutorService clients = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = IntStream.range(0, THREADS).<Future<?>>mapToObj(t -> clients.submit(() -> {
                Random random = new Random(seed * 1000 + t);
                for (int i = 0; i < PER_THREAD; i++) {
                    int[] prompt = IntStream.range(0, 1 + random.nextInt(40)).map(k -> 3 + random.nextInt(400))
                            .toArray();
                    GenerationRequest request = GenerationRequest.of("fake", new Prompt.Tokens(prompt),
                            1 + random.nextInt(20)).withSampling(Sampling.greedy());
                    int how = random.nextInt(6);
                    Client c = new Client(how == 3 ? 1 + random.nextInt(4) : -1);
                    Generation g;
                    try {
                        g = service.generate(request, c);
                    } catch (InferenceException overloaded) { // refused at once: no events owed
                        continue;
                    }
                    c.handle.set(g);
                    accepted.add(c);
                    switch (how) {
                        case 0 -> g.cancel(); // most likely before the engine has seen it
                        case 1 -> cancellers.schedule(g::cancel, random.nextInt(3_000), TimeUnit.MICROSECONDS);
                        case 2 -> cancellers.schedule(g::cancel, random.nextInt(30), TimeUnit.MILLISECONDS);
                        case 4 -> c.done.whenComplete((x, e) -> g.cancel()); // after it ended
                        default -> { } // runs to its end, or cancels itself from its listener (3)
                    }
                    if (random.nextInt(4) == 0) Thread.onSpinWait();
                }
            })).toList();
            for (Future<?> f : done) f.get(120, TimeUnit.SECONDS);
            for (Client c : accepted) c.done.handle((x, e) -> null).get(60, TimeUnit.SECONDS);
        } finally {
            clients.shutdownNow();
            cancellers.shutdown();
            assertThat(cancellers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        ServiceStats stats = settled(service);
        service.shutdown(0); // joins the engine thread: its state is visible here from now on
        assertThat(accepted).hasSizeGreaterThan(THREADS * PER_THREAD / 2).allSatisfy(c -> assertThat(c.ends).isEqualTo(1));
        assertThat(stats.running()).isZero();
        assertThat(stats.queued()).isZero();
        assertThat(blocks.references()).isZero();
        assertThat(blocks.inconsistencies()).isEmpty();
    }

    private static ServiceStats settled(LocalInferenceService service) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            ServiceStats s = service.stats();
            if (s.running() == 0 && s.queued() == 0) return s;
            Thread.sleep(5);
        }
        throw new AssertionError("the engine did not settle: " + service.stats());
    }
}
