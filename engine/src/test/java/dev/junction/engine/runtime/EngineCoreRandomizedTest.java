package dev.junction.engine.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.junction.inference.Completion;
import dev.junction.inference.FinishReason;
import dev.junction.inference.TokenEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The serving core under random events, one seed a run: requests arrive, are taken in late, cancelled at any moment
 * (before the core saw them, while waiting, during prefill, between decodes, after they ended), time out in the
 * queue, have listeners that throw, and steps fail; the pool is small enough to preempt. After every event the core's
 * invariants hold; at the end every request has ended exactly once with one terminal event, nothing runs or waits,
 * every block is free or cached, and every request that ran to its length produced what the model gives without a
 * cache.
 */
class EngineCoreRandomizedTest {
    static final int VOCAB = 97;
    static final int REQUESTS = 250;

    private static final Logger CORE_LOG = (Logger) LoggerFactory.getLogger(EngineCore.class);
    private Level level;

    @BeforeEach
    void quiet() { // the failures here are made on purpose, hundreds of them
        level = CORE_LOG.getLevel();
        CORE_LOG.setLevel(Level.OFF);
    }

    @AfterEach
    void restore() {
        CORE_LOG.setLevel(level);
    }

    static LongStream seeds() {
        return LongStream.range(0, 40);
    }

    /** A listener that may throw on a given token, as a client's broken listener would. */
    static final class Client extends Collector {
        final int throwOnToken;

        Client(int throwOnToken) {
            this.throwOnToken = throwOnToken;
        }

        @Override
        public void onToken(TokenEvent token) {
            super.onToken(token);
            if (tokens.size() == throwOnToken) throw new IllegalStateException("listener failure");
        }
    }

    record Tracked(Request request, Client client) {}

    @ParameterizedTest
    @MethodSource("seeds")
    void everyRequestEndsExactlyOnceAndTheCoreComesBackEmpty(long seed) {
        Random random = new Random(seed);
        CoreHarness h = new CoreHarness(VOCAB, 24, 4, 4, 12, 2_000);
        List<Tracked> all = new ArrayList<>();
        List<Request> inbox = new ArrayList<>();
        int failedSteps = 0;
        while (all.size() < REQUESTS || !inbox.isEmpty() || h.core.hasWork()) {
            int event = random.nextInt(100);
            if (event < 20 && all.size() < REQUESTS) {
                int[] prompt = IntStream.range(0, 1 + random.nextInt(30)).map(i -> random.nextInt(VOCAB)).toArray();
                Client client = new Client(random.nextInt(20) == 0 ? 1 + random.nextInt(5) : -1);
                Request r = h.accept(prompt, 1 + random.nextInt(24), client);
                all.add(new Tracked(r, client));
                inbox.add(r);
            } else if (event < 35 && !inbox.isEmpty()) {
                h.core.add(inbox.removeFirst());
            } else if (event < 45 && !all.isEmpty()) {
                all.get(random.nextInt(all.size())).request().cancel(); // in whatever state it is
            } else if (event < 55) {
                h.deliverCancels();
            } else if (event < 58) {
                h.clock.millis += random.nextInt(1_500);
                h.core.expireWaiting();
            } else if (h.core.hasWork()) {
                if (random.nextInt(150) == 0) h.model.failAtStep = h.model.stepTokens.size();
                try {
                    h.core.step();
                } catch (RuntimeException e) {
                    failedSteps++;
                    h.core.recover(e);
                }
            } else if (all.size() == REQUESTS) {
                while (!inbox.isEmpty()) h.core.add(inbox.removeFirst());
                h.deliverCancels();
            }
            assertThat(h.core.inconsistencies()).as("seed %d", seed).isEmpty();
        }
        h.deliverCancels();

        int ranToLength = 0;
        for (Tracked t : all) {
            Client c = t.client();
            assertThat(c.ends).as("seed %d, %s", seed, t.request()).isEqualTo(1);
            assertThat(t.request().state).isEqualTo(Request.State.ENDED);
            if (!c.done.isCompletedExceptionally()) {
                Completion done = c.await();
                assertThat(done.usage().completionTokens()).isEqualTo(c.tokens.size());
                if (done.finishReason() == FinishReason.LENGTH) {
                    assertThat(CoreHarness.generated(t.request())).as("seed %d", seed)
                            .containsExactly(h.reference(t.request()));
                    ranToLength++;
                }
            }
        }
        assertThat(ranToLength).as("seed %d: some requests ran to the end", seed).isPositive();
        assertThat(h.core.holdsRequests()).isFalse();
        assertThat(h.scheduler.running() + h.scheduler.waiting()).isZero();
        assertThat(h.blocks.referencedBlocks()).isZero();
        assertThat(h.blocks.inconsistencies()).isEmpty();
        assertThat(h.core.notStarted()).isZero();
        assertThat(h.core.started()).isZero();
        assertThat(failedSteps).isLessThan(REQUESTS);
    }
}
