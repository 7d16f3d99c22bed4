package dev.junction.router.strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@code weighted}: a random order drawn without replacement in proportion to the weights, so that each deployment
 * comes first in its weight's share of requests, and a deployment that fails is followed by the others in proportion
 * to theirs. Each candidate draws the key {@code -ln(u) / weight} for a uniform {@code u}, and keys go smallest first
 * (Efraimidis and Spirakis's weighted sampling: the smallest of such exponential keys is candidate {@code i}'s with
 * probability {@code weight_i / Σ weight}). Keeps no state.
 */
public final class WeightedStrategy implements RoutingStrategy {
    private final RandomGenerator random;

    private record Keyed(Candidate candidate, double key) {}

    public WeightedStrategy(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public List<Candidate> order(RouteRequest request, List<Candidate> candidates) {
        List<Keyed> keyed = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            double u = 1.0 - random.nextDouble(); // in (0, 1], so the logarithm is finite
            keyed.add(new Keyed(c, -Math.log(u) / c.weight()));
        }
        keyed.sort(Comparator.comparingDouble(Keyed::key));
        return Orders.roomFirst(request, keyed.stream().map(Keyed::candidate).toList());
    }
}
