package dev.junction.router.strategy;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@code cost}: the cheapest deployment for this request first, among those with room for its prompt and
 * {@code max_tokens}; those without room last. A request's cost on a deployment is its prompt tokens at the input
 * price plus {@link RouteRequest#completionTokens()} at the output price. Equally cheap ones go least busy first,
 * then in random order. Keeps no state.
 */
public final class CostStrategy implements RoutingStrategy {
    private final RandomGenerator random;

    public CostStrategy(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public List<Candidate> order(RouteRequest request, List<Candidate> candidates) {
        LoadScale scale = LoadScale.of(candidates);
        Comparator<Candidate> order = Comparator.comparingDouble((Candidate c) -> estimatedCost(request, c))
                .thenComparingDouble(scale::load);
        return Orders.roomFirst(request, Orders.sorted(candidates, order, random));
    }

    /** What the request is expected to cost on the candidate, in the prices' currency. */
    static double estimatedCost(RouteRequest request, Candidate c) {
        return (request.promptTokens() * c.price().input() + request.completionTokens() * c.price().output()) / 1e6;
    }
}
