package dev.junction.router.strategy;

import java.util.List;
import java.util.OptionalInt;

/** Requests, and a router's use of a strategy in miniature, for the strategy tests. */
final class StrategyTesting {
    static final String MODEL = "llama-3.1-8b";

    private StrategyTesting() {
    }

    /** A request of 100 prompt tokens and {@code max_tokens} 100, with no prompt text. */
    static RouteRequest request() {
        return request(100, 100);
    }

    static RouteRequest request(int promptTokens, int maxTokens) {
        return new RouteRequest(MODEL, promptTokens, OptionalInt.of(maxTokens), "");
    }

    static RouteRequest prompt(String text) {
        return new RouteRequest(MODEL, RouteRequest.estimateTokens(text), OptionalInt.of(100), text);
    }

    static List<Integer> indices(List<Candidate> candidates) {
        return candidates.stream().map(Candidate::index).toList();
    }

    /** How often each candidate (by index, below {@code indexBound}) comes first in {@code draws} orderings. */
    static int[] firstCounts(RoutingStrategy strategy, RouteRequest request, List<Candidate> candidates, int draws,
                             int indexBound) {
        int[] counts = new int[indexBound];
        for (int i = 0; i < draws; i++) counts[strategy.order(request, candidates).getFirst().index()]++;
        return counts;
    }

    /** What the router does with an order: the first candidate with room takes the request, and is recorded. */
    static Candidate route(RoutingStrategy strategy, RouteRequest request, List<Candidate> candidates) {
        Candidate chosen = strategy.order(request, candidates).stream().filter(c -> c.hasRoomFor(request))
                .findFirst().orElseThrow(() -> new AssertionError("no candidate has room"));
        strategy.recordRoute(request, chosen);
        return chosen;
    }
}
