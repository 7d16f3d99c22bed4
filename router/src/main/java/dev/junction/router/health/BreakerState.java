package dev.junction.router.health;

/** The three states of a {@link Breaker}. */
public enum BreakerState {
    /** Healthy: every request is admitted, and outcomes are counted. */
    CLOSED,
    /** Failing: nothing is admitted until the cool-down ends. */
    OPEN,
    /** The cool-down ended: one trial request at a time is admitted; its outcome closes or reopens the breaker. */
    HALF_OPEN
}
