package dev.junction.router.strategy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;

class LoadScaleTest {
    @Test
    void aLimitedDeploymentsLoadIsItsShareOfItsLimit() {
        Candidate c = candidate(0).maxConcurrent(8).inFlight(2).build();
        assertThat(LoadScale.of(List.of(c)).load(c)).isEqualTo(0.25);
    }

    @Test
    void anUnlimitedOneCountsAsRoomyAsTheRoomiestLimitedOne() {
        Candidate small = candidate(0).maxConcurrent(4).inFlight(2).build();
        Candidate large = candidate(1).maxConcurrent(20).inFlight(5).build();
        Candidate unlimited = candidate(2).inFlight(10).build();
        LoadScale scale = LoadScale.of(List.of(small, large, unlimited));
        assertThat(scale.reference()).isEqualTo(20);
        assertThat(scale.load(small)).isEqualTo(0.5);
        assertThat(scale.load(large)).isEqualTo(0.25);
        assertThat(scale.load(unlimited)).isEqualTo(0.5);
    }

    @Test
    void unlimitedOnesAloneCompareByTheirInFlightCounts() {
        Candidate a = candidate(0).inFlight(8).build();
        Candidate b = candidate(1).inFlight(64).build();
        LoadScale scale = LoadScale.of(List.of(a, b));
        assertThat(scale.reference()).isEqualTo(LoadScale.UNLIMITED_REFERENCE);
        assertThat(scale.load(a)).isEqualTo(8.0 / LoadScale.UNLIMITED_REFERENCE);
        assertThat(scale.load(b)).isEqualTo(2.0); // busier than the reference: above 1
    }
}
