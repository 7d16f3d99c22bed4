package dev.junction.router.strategy;

import dev.junction.router.config.Strategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;

/** What every strategy promises: each candidate once, those with room first, the same order for the same seed. */
class RoutingStrategyTest {
    @Test
    void eachConfiguredStrategyHasItsClass() {
        Random random = new Random(0);
        assertThat(RoutingStrategy.create(Strategy.PRIORITY, random)).isInstanceOf(PriorityStrategy.class);
        assertThat(RoutingStrategy.create(Strategy.WEIGHTED, random)).isInstanceOf(WeightedStrategy.class);
        assertThat(RoutingStrategy.create(Strategy.LEAST_BUSY, random)).isInstanceOf(LeastBusyStrategy.class);
        assertThat(RoutingStrategy.create(Strategy.LATENCY, random)).isInstanceOf(LatencyStrategy.class);
        assertThat(RoutingStrategy.create(Strategy.COST, random)).isInstanceOf(CostStrategy.class);
        assertThat(RoutingStrategy.create(Strategy.PREFIX, random)).isInstanceOf(PrefixStrategy.class);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void everyCandidateOnceAndThoseWithRoomFirst(Strategy kind) {
        RoutingStrategy strategy = RoutingStrategy.create(kind, new Random(kind.ordinal()));
        Random random = new Random(100 + kind.ordinal());
        for (int round = 0; round < 500; round++) {
            RouteRequest request = randomRequest(random);
            List<Candidate> candidates = randomCandidates(random);
            List<Candidate> order = strategy.order(request, candidates);
            assertThat(order).containsExactlyInAnyOrderElementsOf(candidates);
            int withRoom = (int) candidates.stream().filter(c -> c.hasRoomFor(request)).count();
            assertThat(order.subList(0, withRoom)).allMatch(c -> c.hasRoomFor(request));
            if (withRoom > 0) strategy.recordRoute(request, order.getFirst());
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void theSameSeedGivesTheSameOrders(Strategy kind) {
        RoutingStrategy one = RoutingStrategy.create(kind, new Random(42));
        RoutingStrategy other = RoutingStrategy.create(kind, new Random(42));
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            RouteRequest request = randomRequest(random);
            List<Candidate> candidates = randomCandidates(random);
            List<Candidate> first = one.order(request, candidates);
            assertThat(other.order(request, candidates)).isEqualTo(first);
            one.recordRoute(request, first.getFirst());
            other.recordRoute(request, first.getFirst());
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void noCandidatesNoOrder(Strategy kind) {
        assertThat(RoutingStrategy.create(kind, new Random(1)).order(StrategyTesting.request(), List.of())).isEmpty();
    }

    static RouteRequest randomRequest(Random random) {
        String prompt = "p".repeat(random.nextInt(400)) + random.nextInt(5);
        OptionalInt maxTokens = random.nextBoolean() ? OptionalInt.of(random.nextInt(2_000)) : OptionalInt.empty();
        return new RouteRequest("m", random.nextInt(4_000), maxTokens, prompt);
    }

    static List<Candidate> randomCandidates(Random random) {
        int n = 1 + random.nextInt(6);
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestCandidate c = candidate(i).tier(1 + random.nextInt(3)).weight(1 + random.nextInt(5))
                    .inFlight(random.nextInt(12)).price(random.nextInt(3) * 0.1, random.nextInt(3) * 0.3);
            if (random.nextBoolean()) c.maxConcurrent(1 + random.nextInt(12));
            if (random.nextInt(4) == 0) c.requestsLeft(random.nextInt(3));
            if (random.nextInt(4) == 0) c.tokensLeft(random.nextInt(8_000));
            if (random.nextBoolean()) c.latency(Duration.ofMillis(1 + random.nextInt(500)), 1 + random.nextInt(20));
            if (random.nextInt(6) == 0) c.onTrial();
            candidates.add(c.build());
        }
        return candidates;
    }
}
