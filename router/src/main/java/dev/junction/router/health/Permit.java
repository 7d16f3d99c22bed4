package dev.junction.router.health;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Leave from a {@link Breaker} to send one request. Complete it exactly once, with the request's outcome:
 * {@link #success()}, {@link #failure(Failure)}, {@link #rateLimited(Duration)}, or {@link #released()} when the
 * request ended for another reason (the client left, the router gave up before sending), which counts as neither.
 * Only the first completion counts: a later one is a no-op and returns false, so that two paths racing to end one
 * request (a stall timer and a client disconnect) need no coordination.
 *
 * <p>A permit remembers the breaker's {@link #generation()} when it was issued. Once the breaker has changed state
 * since, the permit's outcome no longer moves the breaker (a request let through before an opening does not close
 * it again), except that a Retry-After still holds it open for at least that long.
 */
public final class Permit {
    /** What the breaker let through: an ordinary request while CLOSED, or the one trial while HALF_OPEN. */
    public enum Kind { NORMAL, TRIAL }

    private final Breaker breaker;
    private final Kind kind;
    private final long generation;
    private final AtomicBoolean completed = new AtomicBoolean();

    Permit(Breaker breaker, Kind kind, long generation) {
        this.breaker = breaker;
        this.kind = kind;
        this.generation = generation;
    }

    public Kind kind() {
        return kind;
    }

    /** The breaker's generation when this permit was issued (see {@link BreakerTransition#generation()}). */
    public long generation() {
        return generation;
    }

    /** The deployment answered (a client's 4xx included). Returns whether this call completed the permit. */
    public boolean success() {
        return complete(Breaker.Outcome.SUCCESS, null, Duration.ZERO);
    }

    /** The deployment failed. Returns whether this call completed the permit. */
    public boolean failure(Failure failure) {
        return complete(Breaker.Outcome.FAILURE, Objects.requireNonNull(failure, "failure"), Duration.ZERO);
    }

    /**
     * The deployment answered 429 with a Retry-After: a {@link Failure#RATE_LIMITED} failure that also keeps the
     * breaker open for at least {@code retryAfter} from now (at most {@link BreakerConfig#maxCoolDown()}). Returns
     * whether this call completed the permit.
     */
    public boolean rateLimited(Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        return complete(Breaker.Outcome.FAILURE, Failure.RATE_LIMITED, retryAfter);
    }

    /** The request ended without an outcome of the deployment's. Returns whether this call completed the permit. */
    public boolean released() {
        return complete(Breaker.Outcome.RELEASED, null, Duration.ZERO);
    }

    private boolean complete(Breaker.Outcome outcome, Failure failure, Duration hold) {
        if (!completed.compareAndSet(false, true)) return false;
        breaker.complete(this, outcome, failure, hold);
        return true;
    }
}
