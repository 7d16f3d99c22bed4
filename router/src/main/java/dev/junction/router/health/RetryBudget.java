package dev.junction.router.health;

import java.time.InstantSource;
import java.util.Arrays;
import java.util.Objects;

/**
 * Bounds retries to a share of the traffic, so that an outage does not multiply the load on the deployments that
 * are left: call {@link #recordRequest()} once per client request (not per attempt), and {@link #tryRetry()} before
 * each retry, which counts it when allowed. Over a sliding window of the last {@code buckets} buckets (the current
 * one included, so the window reaches between {@code window × (buckets - 1) / buckets} and {@code window} back),
 * retries never exceed {@code max(minRetries, ratio × requests)}.
 *
 * <p>Thread-safe: every method takes the budget's lock, briefly. Time comes from the clock, never earlier than the
 * latest time seen (a wall clock set back does not scramble the buckets).
 */
public final class RetryBudget {
    private final RetryBudgetConfig config;
    private final InstantSource clock;
    private final long bucketMillis;
    private final long[] bucketOf;     // which bucket (time / bucketMillis) each slot counts
    private final long[] requests;
    private final long[] retries;
    private long latest = Long.MIN_VALUE;

    public RetryBudget(RetryBudgetConfig config, InstantSource clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.bucketMillis = config.window().toMillis() / config.buckets();
        this.bucketOf = new long[config.buckets()];
        this.requests = new long[config.buckets()];
        this.retries = new long[config.buckets()];
        Arrays.fill(bucketOf, Long.MIN_VALUE);
    }

    public synchronized void recordRequest() {
        requests[slot(currentBucket())]++;
    }

    /** Whether one more retry fits the budget now; if so it is counted. */
    public synchronized boolean tryRetry() {
        long bucket = currentBucket();
        if (sum(retries, bucket) >= allowed(sum(requests, bucket))) return false;
        retries[slot(bucket)]++;
        return true;
    }

    public synchronized RetryBudgetSnapshot snapshot() {
        long bucket = currentBucket();
        long counted = sum(requests, bucket);
        return new RetryBudgetSnapshot(counted, sum(retries, bucket), allowed(counted));
    }

    private long allowed(long counted) {
        return Math.max(config.minRetries(), (long) Math.floor(config.ratio() * counted));
    }

    private long currentBucket() {
        latest = Math.max(latest, clock.millis());
        return Math.floorDiv(latest, bucketMillis);
    }

    /** The slot of {@code bucket}, emptied first when it still counts an older bucket. */
    private int slot(long bucket) {
        int i = Math.floorMod(bucket, bucketOf.length);
        if (bucketOf[i] != bucket) {
            bucketOf[i] = bucket;
            requests[i] = 0;
            retries[i] = 0;
        }
        return i;
    }

    private long sum(long[] counts, long bucket) {
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            if (bucketOf[i] > bucket - bucketOf.length) total += counts[i];
        }
        return total;
    }
}
