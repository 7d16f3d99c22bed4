package dev.junction.inference;

/**
 * A snapshot of a serving core: gauges (now) and counters (since start).
 *
 * @param queued             requests waiting to be admitted
 * @param running            sequences being prefilled or decoded
 * @param kvBlocksUsed       KV-cache blocks held by sequences or kept for prefix reuse
 * @param kvBlocksTotal      KV-cache blocks in the pool
 * @param windowBlocksUsed   of a pool whose sliding-window layers have blocks of their own, those held or kept
 * @param windowBlocksTotal  those blocks in the pool (0 when every layer uses the blocks above)
 * @param prefixQueryTokens  prompt tokens looked up in the prefix cache
 * @param prefixHitTokens    of those, tokens found (their computation was skipped)
 * @param preemptions        sequences preempted for lack of KV blocks (and recomputed later)
 * @param cancellations      generations cancelled before they finished
 */
public record ServiceStats(int queued, int running, int kvBlocksUsed, int kvBlocksTotal, int windowBlocksUsed,
                           int windowBlocksTotal, long prefixQueryTokens, long prefixHitTokens, long preemptions,
                           long cancellations) {
    public static final ServiceStats EMPTY = new ServiceStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Sums the figures of several services (a server with several models). */
    public ServiceStats plus(ServiceStats o) {
        return new ServiceStats(queued + o.queued, running + o.running, kvBlocksUsed + o.kvBlocksUsed,
                kvBlocksTotal + o.kvBlocksTotal, windowBlocksUsed + o.windowBlocksUsed,
                windowBlocksTotal + o.windowBlocksTotal, prefixQueryTokens + o.prefixQueryTokens,
                prefixHitTokens + o.prefixHitTokens, preemptions + o.preemptions, cancellations + o.cancellations);
    }
}
