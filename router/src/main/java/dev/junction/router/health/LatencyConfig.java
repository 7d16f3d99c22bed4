package dev.junction.router.health;

/**
 * How a {@link LatencyTracker} smooths: each sample moves the average by {@code smoothing} of its distance from it
 * (0.2: the last ten or so samples weigh most), and the percentiles are read from the last {@code recentSamples}.
 */
public record LatencyConfig(double smoothing, int recentSamples) {

    public LatencyConfig {
        if (!(smoothing > 0 && smoothing <= 1)) throw new IllegalArgumentException("smoothing must be in (0, 1]");
        if (recentSamples < 1) throw new IllegalArgumentException("recentSamples must be at least 1");
    }

    public static LatencyConfig defaults() {
        return new LatencyConfig(0.2, 512);
    }
}
