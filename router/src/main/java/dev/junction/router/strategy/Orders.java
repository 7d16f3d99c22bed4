package dev.junction.router.strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/** The steps the strategies share: sorting with ties broken at random, and putting the candidates with room first. */
final class Orders {
    private Orders() {
    }

    /** A copy of {@code items} in random order (Fisher–Yates). */
    static <T> List<T> shuffled(List<T> items, RandomGenerator random) {
        List<T> copy = new ArrayList<>(items);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            copy.set(i, copy.set(j, copy.get(i)));
        }
        return copy;
    }

    /** Sorted by {@code order}, candidates that compare equal in random order (a shuffle, then a stable sort). */
    static List<Candidate> sorted(List<Candidate> candidates, Comparator<Candidate> order, RandomGenerator random) {
        List<Candidate> copy = shuffled(candidates, random);
        copy.sort(order);
        return copy;
    }

    /** The same order, as a new mutable list, but with those without room for the request behind those with it. */
    static List<Candidate> roomFirst(RouteRequest request, List<Candidate> ordered) {
        List<Candidate> result = new ArrayList<>(ordered.size());
        List<Candidate> full = new ArrayList<>();
        for (Candidate c : ordered) (c.hasRoomFor(request) ? result : full).add(c);
        result.addAll(full);
        return result;
    }

    /** How many candidates at the head of a {@link #roomFirst} order have room. */
    static int withRoom(RouteRequest request, List<Candidate> roomFirst) {
        int n = 0;
        while (n < roomFirst.size() && roomFirst.get(n).hasRoomFor(request)) n++;
        return n;
    }
}
