package dev.junction.router.strategy;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@code priority}: the lowest tier first, and inside a tier the least busy first (as {@link LeastBusyStrategy}
 * measures it). A tier whose deployments are all full, or all unusable (and so not candidates), is skipped for the
 * next; as soon as tier 1 is usable and has room again it comes first again. Keeps no state.
 */
public final class PriorityStrategy implements RoutingStrategy {
    private final RandomGenerator random;

    public PriorityStrategy(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public List<Candidate> order(RouteRequest request, List<Candidate> candidates) {
        LoadScale scale = LoadScale.of(candidates);
        Comparator<Candidate> order = Comparator.comparingInt(Candidate::tier).thenComparingDouble(scale::load);
        return Orders.roomFirst(request, Orders.sorted(candidates, order, random));
    }
}
