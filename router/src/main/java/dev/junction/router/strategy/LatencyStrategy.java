package dev.junction.router.strategy;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@code latency}: the shortest moving average of time to first token first. Three kinds of exploration keep the
 * averages honest:
 * <ul>
 *   <li>a deployment with fewer than {@code minimumSamples} samples, counting the requests it has in flight (each will
 *       be one), goes first, so a new deployment is measured by a few requests rather than flooded while its first
 *       answers are on their way;</li>
 *   <li>a deployment {@link Candidate.Health#ON_TRIAL on trial} goes first too: its average is from before it
 *       failed;</li>
 *   <li>with probability {@code exploration}, one deployment with room, chosen at random, goes first, so one whose
 *       average is old (a recovered supplier) is measured again.</li>
 * </ul>
 * A deployment without samples whose exploring requests are all still in flight goes after the measured ones. Keeps
 * no state.
 */
public final class LatencyStrategy implements RoutingStrategy {
    public static final double DEFAULT_EXPLORATION = 0.05;
    public static final int DEFAULT_MINIMUM_SAMPLES = 3;

    private final RandomGenerator random;
    private final double exploration;
    private final int minimumSamples;

    public LatencyStrategy(RandomGenerator random) {
        this(random, DEFAULT_EXPLORATION, DEFAULT_MINIMUM_SAMPLES);
    }

    public LatencyStrategy(RandomGenerator random, double exploration, int minimumSamples) {
        this.random = Objects.requireNonNull(random, "random");
        if (!(exploration >= 0 && exploration <= 1)) throw new IllegalArgumentException("exploration is in [0, 1]");
        if (minimumSamples < 0) throw new IllegalArgumentException("minimumSamples must not be negative");
        this.exploration = exploration;
        this.minimumSamples = minimumSamples;
    }

    @Override
    public List<Candidate> order(RouteRequest request, List<Candidate> candidates) {
        Comparator<Candidate> order = Comparator.comparingInt(this::rank)
                .thenComparing(c -> c.timeToFirstToken().orElse(Duration.ZERO));
        List<Candidate> ordered = Orders.roomFirst(request, Orders.sorted(candidates, order, random));
        int withRoom = Orders.withRoom(request, ordered);
        if (withRoom > 1 && random.nextDouble() < exploration) {
            ordered.addFirst(ordered.remove(random.nextInt(withRoom)));
        }
        return ordered;
    }

    /** 0: to explore now; 1: measured, by its average; 2: unmeasured but already explored by requests in flight. */
    private int rank(Candidate c) {
        if (c.health() == Candidate.Health.ON_TRIAL || c.latencySamples() + c.inFlight() < minimumSamples) return 0;
        return c.timeToFirstToken().isPresent() ? 1 : 2;
    }
}
