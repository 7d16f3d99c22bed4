package dev.junction.router.strategy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.junction.router.strategy.StrategyTesting.firstCounts;
import static dev.junction.router.strategy.StrategyTesting.indices;
import static dev.junction.router.strategy.StrategyTesting.request;
import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;

class LeastBusyStrategyTest {
    final LeastBusyStrategy strategy = new LeastBusyStrategy(new Random(14));

    @Test
    void theFewestInFlightRelativeToTheLimitFirst() {
        List<Candidate> candidates = List.of(
                candidate(0).maxConcurrent(4).inFlight(3).build(),    // 0.75
                candidate(1).maxConcurrent(64).inFlight(16).build(),  // 0.25
                candidate(2).maxConcurrent(10).inFlight(5).build());  // 0.5
        assertThat(indices(strategy.order(request(), candidates))).containsExactly(1, 2, 0);
    }

    @Test
    void anUnlimitedDeploymentCountsAsRoomyAsTheRoomiestLimitedOne() {
        List<Candidate> candidates = List.of(
                candidate(0).maxConcurrent(8).inFlight(2).build(),  // 0.25
                candidate(1).inFlight(6).build(),                   // 6 / 8
                candidate(2).maxConcurrent(4).inFlight(2).build()); // 0.5
        assertThat(indices(strategy.order(request(), candidates))).containsExactly(0, 2, 1);
    }

    @Test
    void unlimitedDeploymentsCompareByTheirInFlightCounts() {
        List<Candidate> candidates = List.of(candidate(0).inFlight(40).build(), candidate(1).inFlight(3).build(),
                candidate(2).inFlight(7).build());
        assertThat(indices(strategy.order(request(), candidates))).containsExactly(1, 2, 0);
    }

    @Test
    void aFullDeploymentGoesLast() {
        List<Candidate> candidates = List.of(candidate(0).maxConcurrent(2).inFlight(2).build(),
                candidate(1).requestsLeft(0).build(), candidate(2).maxConcurrent(100).inFlight(99).build());
        assertThat(indices(strategy.order(request(), candidates))).startsWith(2);
    }

    @Test
    void tiesAreBrokenAtRandom() {
        List<Candidate> candidates = List.of(candidate(0).maxConcurrent(10).inFlight(1).build(),
                candidate(1).maxConcurrent(20).inFlight(2).build(), candidate(2).maxConcurrent(10).inFlight(9).build());
        int[] firsts = firstCounts(strategy, request(), candidates, 1_000, 3);
        assertThat(firsts[0]).isBetween(400, 600);
        assertThat(firsts[1]).isBetween(400, 600);
        assertThat(firsts[2]).isZero();
    }

    /**
     * One request arrives each tick; deployment 0 answers within the tick, deployment 1 (slowed down) in 6 ticks. The
     * slow one is chosen only while it has nothing in flight, so it gets far less than the fast one.
     */
    @Test
    void loadShiftsAwayFromASlowedDeployment() {
        int[] duration = {1, 6};
        int[][] endsAt = new int[2][200]; // the tick each placed request ends, per deployment
        int[] placed = new int[2];
        for (int tick = 0; tick < 200; tick++) {
            int[] inFlight = new int[2];
            for (int d = 0; d < 2; d++) for (int r = 0; r < placed[d]; r++) if (endsAt[d][r] > tick) inFlight[d]++;
            List<Candidate> candidates = List.of(candidate(0).maxConcurrent(8).inFlight(inFlight[0]).build(),
                    candidate(1).maxConcurrent(8).inFlight(inFlight[1]).build());
            int d = StrategyTesting.route(strategy, request(), candidates).index();
            endsAt[d][placed[d]++] = tick + duration[d];
        }
        assertThat(placed[0]).isGreaterThan(placed[1] * 3);
        assertThat(placed[1]).isPositive();
    }
}
