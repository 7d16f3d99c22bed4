package dev.junction.router.health;

import java.time.Duration;
import java.util.Objects;

/**
 * How many retries a {@link RetryBudget} allows: {@code ratio} of the requests over the last {@code window}, counted
 * in {@code buckets} equal buckets, but never fewer than {@code minRetries} per window, so that light traffic can
 * still fail over.
 */
public record RetryBudgetConfig(double ratio, int minRetries, Duration window, int buckets) {

    public RetryBudgetConfig {
        Objects.requireNonNull(window, "window");
        if (!(ratio >= 0 && ratio <= 1)) throw new IllegalArgumentException("ratio must be in [0, 1]");
        if (minRetries < 0) throw new IllegalArgumentException("minRetries must not be negative");
        if (buckets < 1) throw new IllegalArgumentException("buckets must be at least 1");
        if (window.toMillis() < buckets) throw new IllegalArgumentException("window must be at least 1 ms a bucket");
    }

    /** 20 % of the requests over the last 10 s, in 1 s buckets, and at least 10 retries. */
    public static RetryBudgetConfig defaults() {
        return new RetryBudgetConfig(0.2, 10, Duration.ofSeconds(10), 10);
    }
}
