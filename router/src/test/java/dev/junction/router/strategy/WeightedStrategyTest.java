package dev.junction.router.strategy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.junction.router.strategy.StrategyTesting.firstCounts;
import static dev.junction.router.strategy.StrategyTesting.indices;
import static dev.junction.router.strategy.StrategyTesting.request;
import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WeightedStrategyTest {
    final List<Candidate> weighted = List.of(candidate(0).weight(1).build(), candidate(1).weight(3).build(),
            candidate(2).weight(6).build());

    @ParameterizedTest
    @ValueSource(ints = {600, 6_000})
    void firstChoicesSplitByWeight(int draws) {
        WeightedStrategy strategy = new WeightedStrategy(new Random(draws));
        int[] firsts = firstCounts(strategy, request(), weighted, draws, 3);
        assertThat((double) firsts[0] / draws).isCloseTo(0.1, within(0.05));
        assertThat((double) firsts[1] / draws).isCloseTo(0.3, within(0.05));
        assertThat((double) firsts[2] / draws).isCloseTo(0.6, within(0.05));
    }

    @Test
    void afterTheFirstTheOthersFollowByTheirWeights() {
        WeightedStrategy strategy = new WeightedStrategy(new Random(3));
        int secondWhenTwoIsFirst = 0;
        int oneSecond = 0;
        for (int i = 0; i < 6_000; i++) {
            List<Integer> order = indices(strategy.order(request(), weighted));
            if (order.getFirst() != 2) continue;
            secondWhenTwoIsFirst++;
            if (order.get(1) == 1) oneSecond++;
        }
        assertThat((double) oneSecond / secondWhenTwoIsFirst).isCloseTo(0.75, within(0.05)); // 3 / (1 + 3)
    }

    @Test
    void aDeploymentWithoutRoomGoesLastAndTheOthersShareItsPart() {
        List<Candidate> candidates = List.of(candidate(0).weight(1).build(), candidate(1).weight(1).build(),
                candidate(2).weight(8).maxConcurrent(1).inFlight(1).build());
        WeightedStrategy strategy = new WeightedStrategy(new Random(5));
        for (int i = 0; i < 100; i++) assertThat(strategy.order(request(), candidates).getLast().index()).isEqualTo(2);
        int[] firsts = firstCounts(strategy, request(), candidates, 2_000, 3);
        assertThat((double) firsts[0] / 2_000).isCloseTo(0.5, within(0.05));
    }

    @Test
    void equalWeightsAreEqualShares() {
        List<Candidate> candidates = List.of(candidate(0).build(), candidate(1).build(), candidate(2).build(),
                candidate(3).build());
        int[] firsts = firstCounts(new WeightedStrategy(new Random(9)), request(), candidates, 4_000, 4);
        for (int count : firsts) assertThat((double) count / 4_000).isCloseTo(0.25, within(0.05));
    }
}
