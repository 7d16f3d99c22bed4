package dev.junction.router.health;

import dev.junction.router.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.junction.router.health.BreakerState.CLOSED;
import static dev.junction.router.health.BreakerState.HALF_OPEN;
import static dev.junction.router.health.BreakerState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BreakerTest {
    static final Instant START = Instant.parse("2025-03-01T12:00:00.250Z");
    /** 3 failures in a row, or 50 % of the last 10 calls (at least 4); 10 s doubling up to 40 s; trials 60 s. */
    static final BreakerConfig CONFIG = new BreakerConfig(3, 0.5, 10, 4, Duration.ofSeconds(10),
            Duration.ofSeconds(40), Duration.ofSeconds(60));

    final ManualClock clock = new ManualClock(START);
    final List<BreakerTransition> transitions = new ArrayList<>();
    final Breaker breaker = new Breaker(CONFIG, clock, transitions::add);

    Permit acquire() {
        return breaker.tryAcquire().orElseThrow(() -> new AssertionError("refused while " + breaker.state()));
    }

    void fail(int times) {
        for (int i = 0; i < times; i++) acquire().failure(Failure.SERVER_ERROR);
    }

    /** Opens the breaker by consecutive failures and moves the clock to the end of its cool-down. */
    void openAndWaitOut() {
        fail(3);
        clock.advance(Duration.between(clock.instant(), breaker.openUntil().orElseThrow()));
    }

    @Test
    void closedAdmitsEveryRequest() {
        assertThat(breaker.state()).isEqualTo(CLOSED);
        List<Permit> permits = new ArrayList<>();
        for (int i = 0; i < 100; i++) permits.add(acquire());
        assertThat(permits).allMatch(p -> p.kind() == Permit.Kind.NORMAL);
        assertThat(breaker.openUntil()).isEmpty();
    }

    @Test
    void opensAfterConsecutiveFailures() {
        fail(2);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        fail(1);
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.openUntil()).contains(START.plusSeconds(10));
        assertThat(breaker.snapshot().lastFailure()).contains(Failure.SERVER_ERROR);
    }

    @Test
    void aSuccessResetsTheConsecutiveFailures() {
        Breaker consecutive = new Breaker(new BreakerConfig(3, 1.0, 10, 4, Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(60)), clock); // the rate trips only at 100 %
        for (Failure f : new Failure[] {Failure.STALLED, Failure.STALLED, null, Failure.STALLED, Failure.STALLED}) {
            Permit p = consecutive.tryAcquire().orElseThrow();
            if (f == null) p.success();
            else p.failure(f);
        }
        assertThat(consecutive.state()).isEqualTo(CLOSED);
        assertThat(consecutive.snapshot().consecutiveFailures()).isEqualTo(2);
        consecutive.tryAcquire().orElseThrow().failure(Failure.STALLED);
        assertThat(consecutive.state()).isEqualTo(OPEN);
    }

    @Test
    void opensWhenTheFailureRateReachesTheThresholdOverTheWindow() {
        Breaker rated = new Breaker(new BreakerConfig(100, 0.5, 10, 4, Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(60)), clock);
        // F S F: 2 of 3 failed, but fewer than the minimum of 4 calls
        rated.tryAcquire().orElseThrow().failure(Failure.TIMEOUT);
        rated.tryAcquire().orElseThrow().success();
        rated.tryAcquire().orElseThrow().failure(Failure.TIMEOUT);
        assertThat(rated.state()).isEqualTo(CLOSED);
        rated.tryAcquire().orElseThrow().success(); // 2 of 4: at the threshold, not yet tested on a success
        assertThat(rated.state()).isEqualTo(CLOSED);
        rated.tryAcquire().orElseThrow().failure(Failure.TIMEOUT); // 3 of 5
        assertThat(rated.state()).isEqualTo(OPEN);
    }

    @Test
    void theFailureRateWindowSlides() {
        Breaker rated = new Breaker(new BreakerConfig(100, 0.5, 10, 4, Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(60)), clock);
        for (int i = 0; i < 4; i++) rated.tryAcquire().orElseThrow().failure(Failure.CONNECT);
        // opened at 4 of 4; let it close and start over
        clock.advance(Duration.ofSeconds(10));
        rated.tryAcquire().orElseThrow().success();
        assertThat(rated.state()).isEqualTo(CLOSED);
        // 4 failures, then 10 successes push them out of the window of 10
        for (int i = 0; i < 3; i++) rated.tryAcquire().orElseThrow().failure(Failure.CONNECT);
        for (int i = 0; i < 10; i++) rated.tryAcquire().orElseThrow().success();
        assertThat(rated.snapshot().recentCalls()).isEqualTo(10);
        assertThat(rated.snapshot().recentFailures()).isZero();
        // 4 failures of the last 10 now: below 50 %
        for (int i = 0; i < 4; i++) {
            rated.tryAcquire().orElseThrow().failure(Failure.CONNECT);
            rated.tryAcquire().orElseThrow().success();
        }
        assertThat(rated.state()).isEqualTo(CLOSED);
        assertThat(rated.snapshot().failureRate()).isEqualTo(0.4);
    }

    @Test
    void anOpenBreakerAdmitsNothingBeforeItsDeadline() {
        fail(3);
        clock.advance(Duration.ofMillis(9_999));
        assertThat(breaker.tryAcquire()).isEmpty();
        assertThat(breaker.state()).isEqualTo(OPEN);
        clock.advanceMillis(1);
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        assertThat(breaker.openUntil()).isEmpty();
    }

    @Test
    void halfOpenLetsExactlyOneTrialThrough() {
        openAndWaitOut();
        Permit trial = acquire();
        assertThat(trial.kind()).isEqualTo(Permit.Kind.TRIAL);
        for (int i = 0; i < 10; i++) assertThat(breaker.tryAcquire()).isEmpty();
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    }

    @Test
    void theTrialsSuccessCloses() {
        openAndWaitOut();
        acquire().success();
        assertThat(breaker.state()).isEqualTo(CLOSED);
        BreakerSnapshot s = breaker.snapshot();
        assertThat(s.consecutiveFailures()).isZero();
        assertThat(s.recentCalls()).isZero();
        assertThat(s.openings()).isZero();
        assertThat(acquire().kind()).isEqualTo(Permit.Kind.NORMAL);
    }

    @Test
    void theTrialsFailureReopensForANewLongerCoolDownFromThatMoment() {
        openAndWaitOut(); // the first opening: 10 s
        clock.advance(Duration.ofSeconds(3)); // the trial starts late and fails 2 s later
        Permit trial = acquire();
        clock.advance(Duration.ofSeconds(2));
        trial.failure(Failure.TIMEOUT);
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.openUntil()).contains(clock.instant().plusSeconds(20)); // doubled, counted from now
        assertThat(breaker.snapshot().openings()).isEqualTo(2);
    }

    @Test
    void theCoolDownDoublesUpToItsCapAndStartsOverOnceClosed() {
        assertThat(CONFIG.coolDownFor(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(CONFIG.coolDownFor(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(CONFIG.coolDownFor(3)).isEqualTo(Duration.ofSeconds(40));
        assertThat(CONFIG.coolDownFor(4)).isEqualTo(Duration.ofSeconds(40));
        assertThat(CONFIG.coolDownFor(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(40));

        openAndWaitOut();
        for (long expected : new long[] {20, 40, 40}) {
            acquire().failure(Failure.CONNECT);
            assertThat(breaker.openUntil()).contains(clock.instant().plusSeconds(expected));
            clock.advance(Duration.ofSeconds(expected));
        }
        acquire().success();
        fail(3);
        assertThat(breaker.openUntil()).contains(clock.instant().plusSeconds(10));
    }

    @Test
    void aReleasedTrialLetsTheNextOneThroughAndCountsAsNeither() {
        openAndWaitOut();
        assertThat(acquire().released()).isTrue();
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        Permit next = acquire();
        assertThat(next.kind()).isEqualTo(Permit.Kind.TRIAL);
        assertThat(breaker.tryAcquire()).isEmpty();
    }

    @Test
    void releasedPermitsCountAsNeitherSuccessNorFailure() {
        fail(2);
        for (int i = 0; i < 10; i++) acquire().released();
        assertThat(breaker.snapshot().consecutiveFailures()).isEqualTo(2);
        assertThat(breaker.snapshot().recentCalls()).isEqualTo(2);
        fail(1);
        assertThat(breaker.state()).isEqualTo(OPEN);
    }

    @Test
    void aSecondCompletionIsANoOp() {
        Permit p = acquire();
        assertThat(p.failure(Failure.SERVER_ERROR)).isTrue();
        assertThat(p.failure(Failure.SERVER_ERROR)).isFalse();
        assertThat(p.success()).isFalse();
        assertThat(p.released()).isFalse();
        assertThat(p.rateLimited(Duration.ofMinutes(1))).isFalse();
        assertThat(breaker.snapshot().consecutiveFailures()).isEqualTo(1);
        assertThat(breaker.state()).isEqualTo(CLOSED);
    }

    @Test
    void aSecondCompletionOfTheTrialDoesNotCloseAReopenedBreaker() {
        openAndWaitOut();
        Permit trial = acquire();
        trial.failure(Failure.SERVER_ERROR);
        assertThat(trial.success()).isFalse();
        assertThat(breaker.state()).isEqualTo(OPEN);
    }

    @Test
    void aPermitFromBeforeAnOpeningNoLongerMovesTheBreaker() {
        Permit early = acquire();
        Permit earlyFailure = acquire();
        openAndWaitOut();
        Permit trial = acquire();
        early.success(); // let through while CLOSED: it must not close the HALF_OPEN breaker
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        assertThat(breaker.tryAcquire()).isEmpty();
        earlyFailure.failure(Failure.CONNECT); // nor reopen it
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        trial.success();
        assertThat(breaker.state()).isEqualTo(CLOSED);
    }

    @Test
    void aTrialThatOutlivesItsTimeoutCountsAsFailed() {
        openAndWaitOut();
        Permit trial = acquire();
        clock.advance(Duration.ofSeconds(59));
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        clock.advance(Duration.ofSeconds(1));
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.openUntil()).contains(clock.instant().plusSeconds(20));
        assertThat(trial.success()).isTrue(); // completes the permit, but too late to close the breaker
        assertThat(breaker.state()).isEqualTo(OPEN);
    }

    @Test
    void aRetryAfterOpensTheBreakerForAtLeastThatLong() {
        acquire().rateLimited(Duration.ofSeconds(30));
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.openUntil()).contains(START.plusSeconds(30));
        assertThat(breaker.snapshot().lastFailure()).contains(Failure.RATE_LIMITED);
        assertThat(breaker.snapshot().openings()).isZero(); // no health failure: the next cool-down is not doubled
    }

    @Test
    void theDeadlineOnlyEverMovesLater() {
        Permit a = acquire();
        Permit b = acquire();
        Permit c = acquire();
        a.rateLimited(Duration.ofSeconds(30));
        b.rateLimited(Duration.ofSeconds(5)); // shorter: keeps 30 s
        assertThat(breaker.openUntil()).contains(START.plusSeconds(30));
        clock.advance(Duration.ofSeconds(10));
        c.rateLimited(Duration.ofSeconds(25)); // later: 35 s
        assertThat(breaker.openUntil()).contains(START.plusSeconds(35));
        assertThat(transitions).extracting(BreakerTransition::to).containsExactly(OPEN);
    }

    @Test
    void aRetryAfterShorterThanTheCoolDownKeepsTheCoolDown() { // LiteLLM #40130, the other way round
        Permit late = acquire();
        fail(3); // open for 10 s
        late.rateLimited(Duration.ofSeconds(2));
        assertThat(breaker.openUntil()).contains(START.plusSeconds(10));
    }

    @Test
    void aRetryAfterLongerThanTheCoolDownExtendsIt() {
        Permit late = acquire();
        fail(3);
        late.rateLimited(Duration.ofSeconds(25));
        assertThat(breaker.openUntil()).contains(START.plusSeconds(25));
    }

    @Test
    void aRetryAfterOnTheTrialReopensForTheLongerOfItAndTheNextCoolDown() {
        openAndWaitOut();
        acquire().rateLimited(Duration.ofSeconds(35));
        assertThat(breaker.openUntil()).contains(clock.instant().plusSeconds(35));
        clock.advance(Duration.ofSeconds(35));
        acquire().rateLimited(Duration.ofSeconds(1));
        assertThat(breaker.openUntil()).contains(clock.instant().plusSeconds(40)); // the third opening, capped
    }

    @Test
    void aRetryAfterIsCappedAtTheLongestCoolDown() {
        acquire().rateLimited(Duration.ofDays(1));
        assertThat(breaker.openUntil()).contains(START.plusSeconds(40));
    }

    @Test
    void aZeroRetryAfterIsAPlainFailure() {
        acquire().rateLimited(Duration.ZERO);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(breaker.snapshot().consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void theListenerSeesEveryTransitionInOrder() {
        openAndWaitOut();
        Instant opened = START;
        Instant halfOpened = clock.instant();
        acquire().success();
        assertThat(transitions).containsExactly(
                new BreakerTransition(1, CLOSED, OPEN, opened, START.plusSeconds(10)),
                new BreakerTransition(2, OPEN, HALF_OPEN, halfOpened, START.plusSeconds(10)),
                new BreakerTransition(3, HALF_OPEN, CLOSED, halfOpened, START.plusSeconds(10)));
        assertThat(breaker.snapshot().generation()).isEqualTo(3);
    }

    @Test
    void theSnapshotShowsTheOpenDeadline() {
        fail(3);
        BreakerSnapshot s = breaker.snapshot();
        assertThat(s.state()).isEqualTo(OPEN);
        assertThat(s.openUntil()).contains(START.plusSeconds(10));
        assertThat(s.openings()).isEqualTo(1);
        assertThat(s.consecutiveFailures()).isEqualTo(3);
        assertThat(s.failureRate()).isEqualTo(1.0);
    }

    @Test
    void configsOutOfRangeAreRefused() {
        Duration s = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new BreakerConfig(0, 0.5, 20, 10, s, s, s)).hasMessageContaining("consecutive");
        assertThatThrownBy(() -> new BreakerConfig(5, 0, 20, 10, s, s, s)).hasMessageContaining("failureRate");
        assertThatThrownBy(() -> new BreakerConfig(5, 1.5, 20, 10, s, s, s)).hasMessageContaining("failureRate");
        assertThatThrownBy(() -> new BreakerConfig(5, 0.5, 20, 21, s, s, s)).hasMessageContaining("minimumCalls");
        assertThatThrownBy(() -> new BreakerConfig(5, 0.5, 20, 10, s, Duration.ZERO, s))
                .hasMessageContaining("maxCoolDown");
        assertThat(BreakerConfig.defaults().coolDownFor(100)).isEqualTo(Duration.ofMinutes(5));
    }
}
