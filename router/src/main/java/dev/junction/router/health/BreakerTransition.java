package dev.junction.router.health;

import java.time.Instant;

/**
 * One change of a {@link Breaker}'s state, as its listener receives it.
 *
 * @param generation the breaker's generation after the change: 1 for its first transition, one more for each
 *                   (the breaker starts CLOSED in generation 0)
 * @param at         when the breaker made the change (an OPEN breaker turns HALF_OPEN when it is next asked)
 * @param openUntil  the deadline of the breaker's latest opening: the one just set when {@code to} is OPEN, the one
 *                   that passed otherwise; {@link Instant#EPOCH} before the first opening
 */
public record BreakerTransition(long generation, BreakerState from, BreakerState to, Instant at, Instant openUntil) {
}
