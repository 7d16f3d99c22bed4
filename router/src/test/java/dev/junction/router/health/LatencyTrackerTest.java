package dev.junction.router.health;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatencyTrackerTest {
    static final long MS = 1_000_000;

    @Test
    void nothingRecordedYet() {
        LatencyTracker t = new LatencyTracker(LatencyConfig.defaults());
        assertThat(t.average()).isEmpty();
        assertThat(t.snapshot()).isEqualTo(new LatencySnapshot(0, Duration.ZERO, Duration.ZERO, Duration.ZERO));
    }

    @Test
    void theAverageStartsAtTheFirstSampleAndMovesBySmoothing() {
        LatencyTracker t = new LatencyTracker(new LatencyConfig(0.25, 16));
        t.record(100 * MS);
        assertThat(t.average()).contains(Duration.ofMillis(100));
        t.record(200 * MS); // 100 + 0.25 × 100
        assertThat(t.average()).contains(Duration.ofMillis(125));
        t.record(25 * MS);  // 125 + 0.25 × (25 - 125)
        assertThat(t.average()).contains(Duration.ofMillis(100));
    }

    @Test
    void percentilesAreTheNearestRankOfTheRecentSamples() {
        LatencyTracker t = new LatencyTracker(new LatencyConfig(0.2, 100));
        for (int i = 100; i >= 1; i--) t.record(i * MS);
        LatencySnapshot s = t.snapshot();
        assertThat(s.samples()).isEqualTo(100);
        assertThat(s.p50()).isEqualTo(Duration.ofMillis(50));
        assertThat(s.p99()).isEqualTo(Duration.ofMillis(99));
    }

    @Test
    void onlyTheRecentSamplesCountForThePercentiles() {
        LatencyTracker t = new LatencyTracker(new LatencyConfig(0.2, 10));
        for (int i = 0; i < 1_000; i++) t.record(5_000 * MS); // a slow past
        for (int i = 1; i <= 10; i++) t.record(i * MS);
        LatencySnapshot s = t.snapshot();
        assertThat(s.samples()).isEqualTo(1_010);
        assertThat(s.p50()).isEqualTo(Duration.ofMillis(5));
        assertThat(s.p99()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aSingleSampleIsEveryPercentile() {
        LatencyTracker t = new LatencyTracker(LatencyConfig.defaults());
        t.record(7 * MS);
        assertThat(t.snapshot()).isEqualTo(new LatencySnapshot(1, Duration.ofMillis(7), Duration.ofMillis(7),
                Duration.ofMillis(7)));
    }

    @Test
    void negativeTimesAndBadConfigsAreRefused() {
        LatencyTracker t = new LatencyTracker(LatencyConfig.defaults());
        assertThatThrownBy(() -> t.record(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LatencyConfig(0, 10)).hasMessageContaining("smoothing");
        assertThatThrownBy(() -> new LatencyConfig(0.2, 0)).hasMessageContaining("recentSamples");
    }
}
