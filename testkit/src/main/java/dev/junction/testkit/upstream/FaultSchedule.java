package dev.junction.testkit.upstream;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which fault the next requests of one kind get: the latest one set, for every request or for a number of them,
 * then {@link Fault.Healthy}. Lock-free; each request takes exactly one behaviour.
 */
final class FaultSchedule {
    private static final long FOREVER = Long.MAX_VALUE;
    private static final Fault HEALTHY = new Fault.Healthy();

    /** {@code remaining} requests still get {@code fault}; {@code taken} got it since it was set. */
    private record Plan(Fault fault, long remaining, long taken, long generation) {}

    private final AtomicLong generations = new AtomicLong();
    private final AtomicReference<Plan> plan = new AtomicReference<>(new Plan(HEALTHY, FOREVER, 0, 0));

    /** Every following request gets {@code fault}; the answer identifies this setting for {@link #limit}. */
    long set(Fault fault) {
        long generation = generations.incrementAndGet();
        plan.set(new Plan(fault, FOREVER, 0, generation));
        return generation;
    }

    /**
     * Makes the setting {@code generation} apply to {@code times} requests in all, counted from when it was set;
     * nothing when another setting replaced it since.
     */
    void limit(long generation, int times) {
        if (times < 0) throw new IllegalArgumentException("negative count: " + times);
        while (true) {
            Plan p = plan.get();
            if (p.generation() != generation) return;
            Plan limited = new Plan(p.fault(), Math.max(0, times - p.taken()), p.taken(), generation);
            if (plan.compareAndSet(p, limited)) return;
        }
    }

    /** The behaviour of the request that asks now. */
    Fault take() {
        while (true) {
            Plan p = plan.get();
            if (p.remaining() == 0) return HEALTHY;
            long remaining = p.remaining() == FOREVER ? FOREVER : p.remaining() - 1;
            if (plan.compareAndSet(p, new Plan(p.fault(), remaining, p.taken() + 1, p.generation()))) return p.fault();
        }
    }
}
