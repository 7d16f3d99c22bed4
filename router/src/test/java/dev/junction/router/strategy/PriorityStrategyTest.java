package dev.junction.router.strategy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.junction.router.strategy.StrategyTesting.firstCounts;
import static dev.junction.router.strategy.StrategyTesting.indices;
import static dev.junction.router.strategy.StrategyTesting.request;
import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;

class PriorityStrategyTest {
    final PriorityStrategy strategy = new PriorityStrategy(new Random(14));

    @Test
    void theLowestTierFirstAndInsideATierTheLeastBusy() {
        List<Candidate> candidates = List.of(
                candidate(0).tier(3).build(),
                candidate(1).tier(1).maxConcurrent(10).inFlight(6).build(),
                candidate(2).tier(2).build(),
                candidate(3).tier(1).maxConcurrent(10).inFlight(2).build());
        assertThat(indices(strategy.order(request(), candidates))).containsExactly(3, 1, 2, 0);
    }

    @Test
    void aFullTierSpillsToTheNextAndGoesLast() {
        List<Candidate> candidates = List.of(
                candidate(0).tier(1).maxConcurrent(2).inFlight(2).build(),
                candidate(1).tier(1).maxConcurrent(4).inFlight(4).build(),
                candidate(2).tier(2).maxConcurrent(4).inFlight(3).build(),
                candidate(3).tier(3).build());
        List<Integer> order = indices(strategy.order(request(), candidates));
        assertThat(order.subList(0, 2)).containsExactly(2, 3);
        assertThat(order.subList(2, 4)).containsExactlyInAnyOrder(0, 1); // both at their limit: equally busy
    }

    @Test
    void aTierOutOfTokensForThisRequestSpillsButNotForASmallerOne() {
        List<Candidate> candidates = List.of(candidate(0).tier(1).tokensLeft(500).build(),
                candidate(1).tier(2).build());
        assertThat(indices(strategy.order(request(400, 200), candidates))).containsExactly(1, 0);
        assertThat(indices(strategy.order(request(200, 200), candidates))).containsExactly(0, 1);
    }

    @Test
    void aTierWithoutUsableDeploymentsIsSkippedAndComesBackWhenOneIsUsableAgain() {
        Candidate tier1 = candidate(0).tier(1).build();
        Candidate tier2 = candidate(1).tier(2).build();
        // tier 1's breaker is open: the router does not pass it
        assertThat(indices(strategy.order(request(), List.of(tier2)))).containsExactly(1);
        // half-open, its trial free: it is passed again, and comes first
        Candidate onTrial = candidate(0).tier(1).onTrial().build();
        assertThat(indices(strategy.order(request(), List.of(onTrial, tier2)))).containsExactly(0, 1);
        assertThat(indices(strategy.order(request(), List.of(tier1, tier2)))).containsExactly(0, 1);
    }

    @Test
    void spillsWhileTierOneIsFullAndReturnsAsSoonAsItFrees() {
        int[] inFlight = new int[2];
        int[] limit = {3, 100};
        List<Integer> placements = new ArrayList<>();
        for (int step = 0; step < 12; step++) {
            if (step == 8) inFlight[0] = 1; // tier 1's requests end, but one
            List<Candidate> candidates = List.of(
                    candidate(0).tier(1).maxConcurrent(limit[0]).inFlight(inFlight[0]).build(),
                    candidate(1).tier(2).maxConcurrent(limit[1]).inFlight(inFlight[1]).build());
            Candidate chosen = StrategyTesting.route(strategy, request(), candidates);
            inFlight[chosen.index()]++;
            placements.add(chosen.index());
        }
        assertThat(placements).containsExactly(0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1);
    }

    @Test
    void equallyBusyDeploymentsOfATierShareTheFirstPlace() {
        List<Candidate> candidates = List.of(candidate(0).tier(1).build(), candidate(1).tier(1).build(),
                candidate(2).tier(2).build());
        int[] firsts = firstCounts(strategy, request(), candidates, 1_000, 3);
        assertThat(firsts[0]).isBetween(400, 600);
        assertThat(firsts[1]).isBetween(400, 600);
        assertThat(firsts[2]).isZero();
    }
}
