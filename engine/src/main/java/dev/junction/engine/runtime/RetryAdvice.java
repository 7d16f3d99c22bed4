package dev.junction.engine.runtime;

/**
 * How long a refused caller should wait before retrying (the {@code Retry-After} of a 429): the time the waiting
 * requests ahead of it need to be admitted, at the rate requests were admitted lately. A server that admits one
 * request a second with ten waiting says ten seconds, not one, so well-behaved clients do not come back only to
 * be refused again.
 *
 * <p>The rate comes from the last {@link #WINDOW} admissions ({@link #admitted}, called by the engine thread) that
 * are not older than {@code maxSeconds}: a quiet night does not slow the estimate for the morning's burst. With fewer
 * than two such admissions there is no rate to go by and the advice is one second; when the last admission is
 * further back than the rate says, the silence counts as the interval (the engine has slowed down). The advice is at
 * least one second and at most {@code maxSeconds} (the queue timeout: a request that would wait longer fails anyway).
 */
final class RetryAdvice {
    /** Admissions the rate is measured over. */
    static final int WINDOW = 16;

    private final int maxSeconds;
    private final long[] times = new long[WINDOW]; // admission times, a ring
    private int count;

    RetryAdvice(int maxSeconds) {
        this.maxSeconds = Math.max(1, maxSeconds);
    }

    /** A request was admitted at {@code nowMillis} (engine thread). */
    synchronized void admitted(long nowMillis) {
        times[count % WINDOW] = nowMillis;
        count++;
    }

    /** Seconds until {@code waiting} requests ahead are likely admitted, as of {@code nowMillis} (any thread). */
    synchronized int seconds(int waiting, long nowMillis) {
        long horizon = nowMillis - maxSeconds * 1000L;
        long newest = 0, oldest = 0;
        int recent = 0;
        for (int i = 1; i <= Math.min(count, WINDOW); i++) { // newest first
            long t = times[(count - i) % WINDOW];
            if (t < horizon) break;
            if (recent++ == 0) newest = t;
            oldest = t;
        }
        if (recent < 2) return 1;
        double perAdmission = Math.max((double) (newest - oldest) / (recent - 1), nowMillis - newest);
        double millis = Math.max(1, waiting) * perAdmission;
        return (int) Math.clamp(Math.ceil(millis / 1000), 1, maxSeconds);
    }
}
