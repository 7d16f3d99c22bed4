package dev.junction.router.capacity;

/**
 * A capacity contract's use at one moment, for {@code /admin} and metrics.
 *
 * @param inFlight           reservations neither settled, released nor reclaimed
 * @param requestsLastMinute requests admitted in the window (released ones no longer count)
 * @param tokensLastMinute   their tokens: the real count for settled ones, prompt plus {@code max_tokens} otherwise
 * @param reclaimed          reservations whose lease ended before they were completed, since the counters began:
 *                           each one is a leak in the caller
 */
public record ContractSnapshot(int inFlight, long requestsLastMinute, long tokensLastMinute, long reclaimed,
                               ContractLimits limits) {
}
