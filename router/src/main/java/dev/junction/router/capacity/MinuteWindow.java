package dev.junction.router.capacity;

import java.util.Arrays;

/**
 * Requests and tokens admitted over the last minute, in one-second buckets. At second {@code s} it counts the
 * buckets {@code s - 60} to {@code s}: whatever was admitted less than a minute ago is always counted (and what was
 * admitted up to 61 s ago may still be), so no 60 seconds ever hold more than a limit checked against it. A bucket
 * leaves the window 61 s after its second began. Not thread-safe: its {@link ContractState}'s store serializes.
 */
final class MinuteWindow {
    static final int SPAN_SECONDS = 60;
    private static final int SLOTS = SPAN_SECONDS + 1;

    private final long[] secondOf = new long[SLOTS];   // which second each slot counts
    private final long[] requests = new long[SLOTS];
    private final long[] tokens = new long[SLOTS];

    MinuteWindow() {
        Arrays.fill(secondOf, Long.MIN_VALUE);
    }

    static long secondOf(long millis) {
        return Math.floorDiv(millis, 1000);
    }

    /** Counts one request of {@code tokenCount} tokens in the bucket of {@code second}, the current one. */
    void add(long second, long tokenCount) {
        int i = slot(second);
        if (secondOf[i] != second) {
            secondOf[i] = second;
            requests[i] = 0;
            tokens[i] = 0;
        }
        requests[i]++;
        tokens[i] += tokenCount;
    }

    /** Changes the counts of the bucket of {@code second}, if it is still kept (else they left the window anyway). */
    void adjust(long second, long requestDelta, long tokenDelta) {
        int i = slot(second);
        if (secondOf[i] != second) return;
        requests[i] += requestDelta;
        tokens[i] += tokenDelta;
    }

    long requests(long now) {
        return sum(requests, secondOf(now));
    }

    long tokens(long now) {
        return sum(tokens, secondOf(now));
    }

    /** Millis from {@code now} until the window holds at most {@code allowed} requests, if nothing is added. */
    long millisUntilRequestsAtMost(long allowed, long now) {
        return millisUntilAtMost(requests, allowed, now);
    }

    /** Millis from {@code now} until the window holds at most {@code allowed} tokens, if nothing is added. */
    long millisUntilTokensAtMost(long allowed, long now) {
        return millisUntilAtMost(tokens, allowed, now);
    }

    private long millisUntilAtMost(long[] counts, long allowed, long now) {
        long second = secondOf(now);
        long left = sum(counts, second);
        for (long s = second - SPAN_SECONDS; left > allowed && s <= second; s++) {
            int i = slot(s);
            if (secondOf[i] != s) continue;
            left -= counts[i];
            if (left <= allowed) return (s + SLOTS) * 1000 - now;
        }
        return left <= allowed ? 0 : (second + SLOTS) * 1000 - now;
    }

    private long sum(long[] counts, long second) {
        long total = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (secondOf[i] >= second - SPAN_SECONDS) total += counts[i];
        }
        return total;
    }

    /** Writes the buckets still in the window at {@code second} (what a shared store keeps between changes). */
    void writeTo(java.io.DataOutputStream out, long second) throws java.io.IOException {
        int live = 0;
        for (int i = 0; i < SLOTS; i++) if (secondOf[i] >= second - SPAN_SECONDS) live++;
        out.writeByte(live);
        for (int i = 0; i < SLOTS; i++) {
            if (secondOf[i] < second - SPAN_SECONDS) continue;
            out.writeLong(secondOf[i]);
            out.writeLong(requests[i]);
            out.writeLong(tokens[i]);
        }
    }

    /** Reads what {@link #writeTo} wrote into this (empty) window. */
    void readFrom(java.io.DataInputStream in) throws java.io.IOException {
        int live = in.readUnsignedByte();
        for (int n = 0; n < live; n++) {
            long second = in.readLong();
            int i = slot(second);
            secondOf[i] = second;
            requests[i] = in.readLong();
            tokens[i] = in.readLong();
        }
    }

    private static int slot(long second) {
        return Math.floorMod(second, SLOTS);
    }
}
