package dev.junction.router.health;

import java.time.Instant;
import java.util.Optional;

/**
 * A {@link Breaker} at one moment, for {@code /admin} and metrics.
 *
 * @param openUntil           when the cool-down ends; present only while OPEN
 * @param consecutiveFailures failures in a row since the last success (counted while CLOSED)
 * @param recentCalls         completed calls in the failure-rate window (while CLOSED)
 * @param recentFailures      failures among them
 * @param openings            openings since the breaker last closed (the exponent of the next cool-down)
 * @param lastFailure         the kind of the last failure counted, if any
 */
public record BreakerSnapshot(BreakerState state, Optional<Instant> openUntil, int consecutiveFailures,
                              int recentCalls, int recentFailures, int openings, long generation,
                              Optional<Failure> lastFailure) {

    /** The share of failures among the recent calls, 0 when there were none. */
    public double failureRate() {
        return recentCalls == 0 ? 0 : (double) recentFailures / recentCalls;
    }
}
