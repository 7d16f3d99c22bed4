package dev.junction.router.health;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Time to first token of one deployment: an exponentially weighted moving average for routing by latency, and the
 * median and 99th percentile of the recent samples (a fixed ring of the last {@link LatencyConfig#recentSamples()})
 * for {@code /admin} and metrics. {@link #record(long)} allocates nothing; a snapshot copies and sorts the ring.
 *
 * <p>Thread-safe: every method takes the tracker's lock, briefly. It needs no clock: the caller measures.
 */
public final class LatencyTracker {
    private final double smoothing;
    private final long[] recent;
    private int next;
    private long samples;
    private double averageNanos;

    public LatencyTracker(LatencyConfig config) {
        Objects.requireNonNull(config, "config");
        this.smoothing = config.smoothing();
        this.recent = new long[config.recentSamples()];
    }

    /** One request's time to first token, in nanoseconds. */
    public synchronized void record(long timeToFirstTokenNanos) {
        if (timeToFirstTokenNanos < 0) throw new IllegalArgumentException("a time to first token is not negative");
        averageNanos = samples == 0 ? timeToFirstTokenNanos
                : averageNanos + smoothing * (timeToFirstTokenNanos - averageNanos);
        recent[next] = timeToFirstTokenNanos;
        next = (next + 1) % recent.length;
        samples++;
    }

    /** The moving average, or empty before the first sample. */
    public synchronized Optional<Duration> average() {
        return samples == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(Math.round(averageNanos)));
    }

    /** Samples recorded since the start. */
    public synchronized long samples() {
        return samples;
    }

    /** With the percentiles, which sort the recent samples: for visibility, not for every routing decision. */
    public LatencySnapshot snapshot() {
        long count;
        double average;
        long[] sorted;
        synchronized (this) {
            count = samples;
            average = averageNanos;
            sorted = Arrays.copyOf(recent, (int) Math.min(samples, recent.length));
        }
        if (count == 0) return new LatencySnapshot(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        Arrays.sort(sorted);
        return new LatencySnapshot(count, Duration.ofNanos(Math.round(average)), percentile(sorted, 0.50),
                percentile(sorted, 0.99));
    }

    private static Duration percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return Duration.ofNanos(sorted[Math.max(0, rank - 1)]);
    }
}
