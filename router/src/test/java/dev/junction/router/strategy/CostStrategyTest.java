package dev.junction.router.strategy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static dev.junction.router.strategy.StrategyTesting.firstCounts;
import static dev.junction.router.strategy.StrategyTesting.indices;
import static dev.junction.router.strategy.StrategyTesting.request;
import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CostStrategyTest {
    final CostStrategy strategy = new CostStrategy(new Random(14));

    @Test
    void theCheapestForThisRequestFirst() {
        List<Candidate> candidates = List.of(candidate(0).price(0.50, 1.50).build(),
                candidate(1).price(0.10, 0.40).build(), candidate(2).price(0.20, 0.20).build());
        // 1000 in, 100 out: 0.65e-3, 0.14e-3, 0.22e-3
        assertThat(indices(strategy.order(request(1_000, 100), candidates))).containsExactly(1, 2, 0);
    }

    @Test
    void theRequestsShapeDecides() {
        Candidate cheapInput = candidate(0).price(0.05, 1.00).build();
        Candidate cheapOutput = candidate(1).price(0.50, 0.20).build();
        List<Candidate> both = List.of(cheapInput, cheapOutput);
        assertThat(indices(strategy.order(request(8_000, 50), both))).containsExactly(0, 1);  // a long prompt
        assertThat(indices(strategy.order(request(50, 4_000), both))).containsExactly(1, 0);  // a long answer
    }

    @Test
    void withoutMaxTokensTheDefaultCompletionCounts() {
        Candidate cheapInput = candidate(0).price(0.05, 1.00).build();
        Candidate cheapOutput = candidate(1).price(0.50, 0.20).build();
        RouteRequest noMax = new RouteRequest("m", 100, OptionalInt.empty(), "");
        assertThat(CostStrategy.estimatedCost(noMax, cheapInput))
                .isCloseTo((100 * 0.05 + RouteRequest.DEFAULT_COMPLETION_TOKENS * 1.00) / 1e6, within(1e-12));
        assertThat(indices(strategy.order(noMax, List.of(cheapInput, cheapOutput)))).containsExactly(1, 0);
    }

    @Test
    void theCheapestWithoutRoomIsSkippedToTheEnd() {
        List<Candidate> candidates = List.of(
                candidate(0).price(0, 0).maxConcurrent(2).inFlight(2).build(),     // free, but full
                candidate(1).price(0.01, 0.01).tokensLeft(1_000).build(),          // too few tokens left for this one
                candidate(2).price(0.30, 0.60).build(),
                candidate(3).price(0.20, 0.80).build());
        assertThat(indices(strategy.order(request(1_500, 500), candidates))).containsExactly(3, 2, 0, 1);
        assertThat(indices(strategy.order(request(500, 400), candidates))).containsExactly(1, 2, 3, 0);
    }

    @Test
    void equallyCheapOnesGoLeastBusyFirstThenAtRandom() {
        List<Candidate> candidates = List.of(candidate(0).maxConcurrent(10).inFlight(5).build(),
                candidate(1).maxConcurrent(10).inFlight(1).build(), candidate(2).maxConcurrent(10).inFlight(1).build());
        assertThat(strategy.order(request(), candidates).getLast().index()).isZero();
        int[] firsts = firstCounts(strategy, request(), candidates, 1_000, 3);
        assertThat(firsts[1]).isBetween(400, 600);
        assertThat(firsts[2]).isBetween(400, 600);
    }
}
