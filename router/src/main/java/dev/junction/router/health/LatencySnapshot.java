package dev.junction.router.health;

import java.time.Duration;

/**
 * A {@link LatencyTracker} at one moment. {@code samples} counts every sample ever recorded; the percentiles are
 * over the recent ones (nearest rank). All durations are zero while {@code samples} is 0.
 */
public record LatencySnapshot(long samples, Duration average, Duration p50, Duration p99) {
}
