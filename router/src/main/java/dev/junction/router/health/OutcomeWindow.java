package dev.junction.router.health;

/** The outcomes of the last {@code size} calls, for a breaker's failure rate. Not thread-safe: its breaker locks. */
final class OutcomeWindow {
    private final boolean[] failed;
    private int next;
    private int calls;
    private int failures;

    OutcomeWindow(int size) {
        this.failed = new boolean[size];
    }

    void recordSuccess() {
        record(false);
    }

    void recordFailure() {
        record(true);
    }

    private void record(boolean failure) {
        if (calls == failed.length) {
            if (failed[next]) failures--;
        } else {
            calls++;
        }
        failed[next] = failure;
        if (failure) failures++;
        next = (next + 1) % failed.length;
    }

    /** Whether at least {@code minimumCalls} were counted and the share of failures is at or above the threshold. */
    boolean tripped(int minimumCalls, double threshold) {
        return calls >= minimumCalls && failures >= threshold * calls;
    }

    int calls() {
        return calls;
    }

    int failures() {
        return failures;
    }

    void clear() {
        next = 0;
        calls = 0;
        failures = 0;
    }
}
