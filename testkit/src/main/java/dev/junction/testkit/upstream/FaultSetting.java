package dev.junction.testkit.upstream;

/** A fault just set on a {@link FakeUpstream}, for all following requests until {@link #times} limits it. */
public final class FaultSetting {
    private final FaultSchedule schedule;
    private final long generation;

    FaultSetting(FaultSchedule schedule, long generation) {
        this.schedule = schedule;
        this.generation = generation;
    }

    /**
     * Only {@code requests} requests in all, counted from when the fault was set, get it; the ones after are
     * healthy. Does nothing once another fault has been set.
     */
    public void times(int requests) {
        schedule.limit(generation, requests);
    }
}
