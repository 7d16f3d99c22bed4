package dev.junction.router.strategy;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@code least-busy}: the fewest requests in flight relative to {@code max_concurrent} first, equally busy ones in
 * random order. A deployment without a limit counts as if its limit were the largest among the candidates (32 when
 * none has one): unlimited deployments compare with each other by their in-flight counts, and with limited ones as if
 * they were as roomy as the roomiest. Keeps no state.
 */
public final class LeastBusyStrategy implements RoutingStrategy {
    private final RandomGenerator random;

    public LeastBusyStrategy(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public List<Candidate> order(RouteRequest request, List<Candidate> candidates) {
        LoadScale scale = LoadScale.of(candidates);
        return Orders.roomFirst(request, Orders.sorted(candidates, Comparator.comparingDouble(scale::load), random));
    }
}
