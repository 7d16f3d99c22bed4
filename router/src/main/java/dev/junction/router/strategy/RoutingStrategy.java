package dev.junction.router.strategy;

import dev.junction.router.config.Strategy;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Decides the order in which one request tries the deployments of its model. Implementations are thread-safe, given
 * a thread-safe {@link RandomGenerator}: the router calls one instance per model from many requests at once.
 */
public interface RoutingStrategy {
    /**
     * Every one of {@code candidates} exactly once, the first to try first. Those with room for the request come
     * before those without.
     */
    List<Candidate> order(RouteRequest request, List<Candidate> candidates);

    /**
     * Called by the router once a deployment admitted the request, with the candidate that took it. Strategies that
     * learn from placements ({@code prefix}) remember it; the others ignore it.
     */
    default void recordRoute(RouteRequest request, Candidate chosen) {
    }

    /**
     * The strategy a model's configuration names, with its defaults. {@code random} is its only source of chance
     * (weighted draws, exploration, ties); it is called from the router's threads at once, so it must be thread-safe,
     * as {@link java.util.Random} is. Tests pass a seeded one.
     */
    static RoutingStrategy create(Strategy strategy, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        return switch (strategy) {
            case PRIORITY -> new PriorityStrategy(random);
            case WEIGHTED -> new WeightedStrategy(random);
            case LEAST_BUSY -> new LeastBusyStrategy(random);
            case LATENCY -> new LatencyStrategy(random);
            case COST -> new CostStrategy(random);
            case PREFIX -> new PrefixStrategy(random);
        };
    }
}
