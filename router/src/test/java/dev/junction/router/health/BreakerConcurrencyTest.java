package dev.junction.router.health;

import dev.junction.router.ConcurrentRun;
import dev.junction.router.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.junction.router.health.BreakerState.CLOSED;
import static dev.junction.router.health.BreakerState.HALF_OPEN;
import static dev.junction.router.health.BreakerState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads acquire permits of one breaker and complete them with random outcomes at random moments (some held
 * while the clock moves, some completed twice), while the clock moves and the deployment turns healthy and sick in
 * turns. The seed is printed; rerun one with {@code -Djunction.seed=N}. The breaker reports every transition; at the
 * end the test checks that no permit was issued while OPEN, that HALF_OPEN never had two trials out, that it was
 * entered only after the deadline, and that no opening kept an earlier or shorter deadline.
 */
class BreakerConcurrencyTest {
    static final int THREADS = 8;
    static final int STEPS = 4_000;
    static final Duration MIN_RETRY_AFTER = Duration.ofMillis(500);
    static final BreakerConfig CONFIG = new BreakerConfig(5, 0.5, 20, 10, Duration.ofSeconds(1),
            Duration.ofSeconds(8), Duration.ofSeconds(5));

    record Issued(long generation, Permit.Kind kind) {}

    @Test
    @Timeout(60)
    void invariantsHoldUnderRandomConcurrentUse() throws Exception {
        long seed = ConcurrentRun.seed("BreakerConcurrencyTest");
        ManualClock clock = new ManualClock(Instant.parse("2025-03-01T12:00:00Z"));
        List<BreakerTransition> transitions = new ArrayList<>(); // appended under the breaker's lock
        Breaker breaker = new Breaker(CONFIG, clock, transitions::add);
        ConcurrentLinkedQueue<Issued> issued = new ConcurrentLinkedQueue<>();
        Map<Long, AtomicInteger> trialsOut = new ConcurrentHashMap<>();
        AtomicInteger mostTrialsOut = new AtomicInteger();
        AtomicInteger doubleCompletionsCounted = new AtomicInteger();

        ConcurrentRun.run(THREADS, seed, random -> {
            List<Permit> held = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                if (random.nextInt(100) < 2) clock.advanceMillis(random.nextInt(1_500));
                if (held.size() < 3 && random.nextBoolean()) {
                    Optional<Permit> permit = breaker.tryAcquire();
                    permit.ifPresent(p -> {
                        issued.add(new Issued(p.generation(), p.kind()));
                        if (p.kind() == Permit.Kind.TRIAL) {
                            int out = trialsOut.computeIfAbsent(p.generation(), g -> new AtomicInteger())
                                    .incrementAndGet();
                            mostTrialsOut.accumulateAndGet(out, Math::max);
                        }
                        held.add(p);
                    });
                } else if (!held.isEmpty()) {
                    Permit p = held.remove(random.nextInt(held.size()));
                    if (p.kind() == Permit.Kind.TRIAL) trialsOut.get(p.generation()).decrementAndGet();
                    complete(p, random, sick(clock));
                    if (random.nextInt(10) == 0 && complete(p, random, sick(clock))) {
                        doubleCompletionsCounted.incrementAndGet();
                    }
                }
            }
            for (Permit p : held) {
                if (p.kind() == Permit.Kind.TRIAL) trialsOut.get(p.generation()).decrementAndGet();
                complete(p, random, sick(clock));
            }
        });

        String why = "seed " + seed;
        assertThat(doubleCompletionsCounted).as(why).hasValue(0);
        assertThat(mostTrialsOut.get()).as(why + ": trials out at once in one HALF_OPEN period").isLessThanOrEqualTo(1);

        Map<Long, BreakerState> stateOf = new ConcurrentHashMap<>(Map.of(0L, CLOSED));
        Set<String> kinds = new TreeSet<>();
        BreakerTransition previous = new BreakerTransition(0, CLOSED, CLOSED, Instant.EPOCH, Instant.EPOCH);
        for (BreakerTransition t : transitions) {
            assertThat(t.generation()).as(why).isEqualTo(previous.generation() + 1);
            assertThat(t.from()).as(why).isEqualTo(previous.to());
            assertThat(t.at()).as(why).isAfterOrEqualTo(previous.at());
            if (t.to() == HALF_OPEN) {
                assertThat(t.from()).as(why).isEqualTo(OPEN);
                assertThat(t.at()).as(why + ": HALF_OPEN before the deadline, " + t).isAfterOrEqualTo(t.openUntil());
            }
            if (t.to() == OPEN) {
                assertThat(t.openUntil()).as(why + ": a short opening, " + t)
                        .isAfterOrEqualTo(t.at().plus(MIN_RETRY_AFTER));
                assertThat(t.openUntil()).as(why + ": an opening kept an earlier deadline, " + t)
                        .isAfter(previous.openUntil());
            }
            stateOf.put(t.generation(), t.to());
            kinds.add(t.from() + ">" + t.to());
            previous = t;
        }
        for (Issued i : issued) {
            BreakerState state = stateOf.get(i.generation());
            assertThat(state).as(why + ": " + i).isEqualTo(i.kind() == Permit.Kind.NORMAL ? CLOSED : HALF_OPEN);
        }
        assertThat(kinds).as(why + ": the run went through every transition")
                .contains("CLOSED>OPEN", "OPEN>HALF_OPEN", "HALF_OPEN>CLOSED", "HALF_OPEN>OPEN");
        assertThat(EnumSet.copyOf(stateOf.values())).containsExactlyInAnyOrder(CLOSED, OPEN, HALF_OPEN);

        // once the deployment is well again, the breaker closes
        clock.advance(CONFIG.maxCoolDown().plus(CONFIG.trialTimeout()));
        breaker.tryAcquire().orElseThrow().success();
        assertThat(breaker.state()).as(why).isEqualTo(CLOSED);
    }

    /** The deployment is sick for 30 s of every minute of the clock. */
    static boolean sick(ManualClock clock) {
        return (clock.millis() / 30_000) % 2 == 1;
    }

    static boolean complete(Permit p, Random random, boolean sick) {
        int roll = random.nextInt(100);
        if (roll < 10) return p.released();
        if (roll < 14) return p.rateLimited(MIN_RETRY_AFTER.plusMillis(random.nextInt(2_500)));
        if (random.nextInt(100) < (sick ? 85 : 5)) {
            return p.failure(Failure.values()[random.nextInt(Failure.values().length)]);
        }
        return p.success();
    }
}
