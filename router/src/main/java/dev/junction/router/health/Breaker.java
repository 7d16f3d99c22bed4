package dev.junction.router.health;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The circuit breaker of one deployment. CLOSED, it admits every request and counts outcomes; after
 * {@link BreakerConfig#consecutiveFailures()} failures in a row, or a failure rate at or above the threshold over its
 * window, it turns OPEN and admits nothing until its cool-down ends; then it turns HALF_OPEN and admits exactly one
 * trial at a time (a released trial lets the next one through): the trial's success closes it, its failure opens it
 * again for the next, longer cool-down, counted from that moment. A Retry-After (see
 * {@link Permit#rateLimited(Duration)}) opens the breaker for at least that long; while it is OPEN its deadline only
 * ever moves later. A Retry-After longer than {@link BreakerConfig#maxCoolDown()} holds it for the longest cool-down
 * only: one trial then is cheap, and an upstream cannot shut a deployment out for a day.
 *
 * <p>Thread-safe: every method takes the breaker's lock, briefly. The listener, if any, is called under that lock
 * for each transition, in order: it must be quick and must not call back into the breaker.
 */
public final class Breaker {
    enum Outcome { SUCCESS, FAILURE, RELEASED }

    private final BreakerConfig config;
    private final InstantSource clock;
    private final Consumer<BreakerTransition> listener;
    private final OutcomeWindow recent;

    private BreakerState state = BreakerState.CLOSED;
    private long generation;
    private long openUntil;            // epoch millis; the deadline of the latest opening, 0 before the first
    private int consecutiveFailures;
    private int openings;              // since the breaker last closed
    private Failure lastFailure;       // null until the first failure counted
    private Permit trial;              // the HALF_OPEN trial that is out, null when none is
    private long trialDeadline;

    public Breaker(BreakerConfig config, InstantSource clock) {
        this(config, clock, transition -> { });
    }

    public Breaker(BreakerConfig config, InstantSource clock, Consumer<BreakerTransition> listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.recent = new OutcomeWindow(config.windowSize());
    }

    /** Leave to send one request, or empty when the breaker refuses it (OPEN, or HALF_OPEN with its trial out). */
    public synchronized Optional<Permit> tryAcquire() {
        long now = clock.millis();
        advance(now);
        return switch (state) {
            case CLOSED -> Optional.of(new Permit(this, Permit.Kind.NORMAL, generation));
            case OPEN -> Optional.empty();
            case HALF_OPEN -> {
                if (trial != null) yield Optional.empty();
                trial = new Permit(this, Permit.Kind.TRIAL, generation);
                trialDeadline = now + config.trialTimeout().toMillis();
                yield Optional.of(trial);
            }
        };
    }

    public synchronized BreakerState state() {
        advance(clock.millis());
        return state;
    }

    /** When the cool-down ends; present only while OPEN. */
    public synchronized Optional<Instant> openUntil() {
        advance(clock.millis());
        return state == BreakerState.OPEN ? Optional.of(Instant.ofEpochMilli(openUntil)) : Optional.empty();
    }

    public synchronized BreakerSnapshot snapshot() {
        advance(clock.millis());
        return new BreakerSnapshot(state, state == BreakerState.OPEN ? Optional.of(Instant.ofEpochMilli(openUntil))
                : Optional.empty(), consecutiveFailures, recent.calls(), recent.failures(), openings, generation,
                Optional.ofNullable(lastFailure));
    }

    /** Called once per permit, by the permit. */
    synchronized void complete(Permit permit, Outcome outcome, Failure failure, Duration hold) {
        long now = clock.millis();
        advance(now);
        if (trial == permit) trial = null;
        if (permit.generation() == generation) count(outcome, failure, now);
        long holdMillis = Math.min(hold.toMillis(), config.maxCoolDown().toMillis());
        if (holdMillis > 0) holdOpen(now + holdMillis, now);
    }

    private void count(Outcome outcome, Failure failure, long now) {
        if (outcome == Outcome.FAILURE) lastFailure = failure;
        switch (state) {
            case CLOSED -> {
                switch (outcome) {
                    case SUCCESS -> {
                        consecutiveFailures = 0;
                        recent.recordSuccess();
                    }
                    case FAILURE -> {
                        consecutiveFailures++;
                        recent.recordFailure();
                        if (consecutiveFailures >= config.consecutiveFailures()
                                || recent.tripped(config.minimumCalls(), config.failureRateThreshold())) {
                            openAfterFailure(now);
                        }
                    }
                    case RELEASED -> { }
                }
            }
            case HALF_OPEN -> { // the permit is this generation's trial: no other is issued while HALF_OPEN
                switch (outcome) {
                    case SUCCESS -> moveTo(BreakerState.CLOSED, now);
                    case FAILURE -> openAfterFailure(now);
                    case RELEASED -> { }
                }
            }
            case OPEN -> { } // an OPEN generation issues no permits
        }
    }

    /** The time-driven transitions: a cool-down that ended, a trial that outlived its timeout. */
    private void advance(long now) {
        if (state == BreakerState.OPEN && now >= openUntil) {
            moveTo(BreakerState.HALF_OPEN, now);
        } else if (state == BreakerState.HALF_OPEN && trial != null && now >= trialDeadline) {
            openAfterFailure(now);
        }
    }

    private void openAfterFailure(long now) {
        openings++;
        openUntil = Math.max(openUntil, now + config.coolDownFor(openings).toMillis());
        moveTo(BreakerState.OPEN, now);
    }

    /** Keeps the breaker OPEN until at least {@code until}; a Retry-After is no health failure, so no opening. */
    private void holdOpen(long until, long now) {
        openUntil = Math.max(openUntil, until);
        if (state != BreakerState.OPEN) moveTo(BreakerState.OPEN, now);
    }

    /** Every change of state goes through here. */
    private void moveTo(BreakerState to, long now) {
        BreakerState from = state;
        state = to;
        generation++;
        trial = null;
        if (to == BreakerState.CLOSED) {
            consecutiveFailures = 0;
            openings = 0;
            recent.clear();
        }
        listener.accept(new BreakerTransition(generation, from, to, Instant.ofEpochMilli(now),
                Instant.ofEpochMilli(openUntil)));
    }
}
