package dev.junction.router.strategy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.junction.router.strategy.StrategyTesting.firstCounts;
import static dev.junction.router.strategy.StrategyTesting.indices;
import static dev.junction.router.strategy.StrategyTesting.request;
import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;

class LatencyStrategyTest {
    final Candidate fast = candidate(0).latencyMillis(40, 500).build();
    final Candidate medium = candidate(1).latencyMillis(90, 500).build();
    final Candidate slow = candidate(2).latencyMillis(300, 500).build();

    @Test
    void withoutExplorationTheShortestAverageFirst() {
        LatencyStrategy strategy = new LatencyStrategy(new Random(1), 0, 3);
        for (int i = 0; i < 100; i++) {
            assertThat(indices(strategy.order(request(), List.of(slow, fast, medium)))).containsExactly(0, 1, 2);
        }
    }

    @Test
    void prefersTheFastOneButStillExplores() {
        LatencyStrategy strategy = new LatencyStrategy(new Random(2));
        int[] firsts = firstCounts(strategy, request(), List.of(slow, fast, medium), 1_000, 3);
        // each of the other two comes first in about ε / 3 of the draws: 1000 × 0.05 / 3 ≈ 17
        assertThat(firsts[0]).isBetween(940, 990);
        assertThat(firsts[1]).isBetween(5, 35);
        assertThat(firsts[2]).isBetween(5, 35);
    }

    @Test
    void aDeploymentWithTooFewSamplesIsTriedFirst() {
        LatencyStrategy strategy = new LatencyStrategy(new Random(3), 0, 3);
        Candidate unmeasured = candidate(3).build();
        Candidate barely = candidate(4).latencyMillis(900, 1).inFlight(1).build(); // 1 sample + 1 on its way
        assertThat(indices(strategy.order(request(), List.of(fast, unmeasured)))).containsExactly(3, 0);
        assertThat(indices(strategy.order(request(), List.of(fast, barely)))).containsExactly(4, 0);
    }

    @Test
    void aNewDeploymentIsExploredByAFewRequestsNotFlooded() {
        LatencyStrategy strategy = new LatencyStrategy(new Random(4), 0, 3);
        Candidate exploredEnough = candidate(3).inFlight(3).build(); // three answers on their way, none measured
        assertThat(indices(strategy.order(request(), List.of(exploredEnough, slow, fast)))).containsExactly(0, 2, 3);
        Candidate measuredOnce = candidate(4).latencyMillis(10, 1).inFlight(2).build();
        assertThat(indices(strategy.order(request(), List.of(measuredOnce, fast)))).containsExactly(4, 0);
    }

    @Test
    void aDeploymentOnTrialIsTriedFirstSinceItsAverageIsOld() {
        LatencyStrategy strategy = new LatencyStrategy(new Random(5), 0, 3);
        Candidate recovering = candidate(3).latencyMillis(5_000, 200).onTrial().build();
        assertThat(indices(strategy.order(request(), List.of(fast, recovering)))).containsExactly(3, 0);
    }

    @Test
    void explorationPicksOnlyAmongThoseWithRoom() {
        LatencyStrategy strategy = new LatencyStrategy(new Random(6), 1.0, 3); // explores on every request
        Candidate fullButFast = candidate(3).latencyMillis(1, 500).maxConcurrent(1).inFlight(1).build();
        int[] firsts = firstCounts(strategy, request(), List.of(fullButFast, fast, slow), 1_000, 4);
        assertThat(firsts[3]).isZero();
        assertThat(firsts[0]).isBetween(400, 600);
        assertThat(firsts[2]).isBetween(400, 600);
    }

    @Test
    void aFastDeploymentWithoutRoomGoesLast() {
        LatencyStrategy strategy = new LatencyStrategy(new Random(7), 0, 3);
        Candidate fullButFast = candidate(3).latencyMillis(1, 500).tokensLeft(10).build();
        assertThat(indices(strategy.order(request(), List.of(fullButFast, slow, fast)))).containsExactly(0, 2, 3);
    }
}
