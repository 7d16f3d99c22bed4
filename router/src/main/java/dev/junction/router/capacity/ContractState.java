package dev.junction.router.capacity;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * The counters of one capacity contract and the admission rules over them: the minute's requests and tokens, the
 * reservations in flight with their leases, the next reservation id. A {@link ContractStore} keeps one per contract
 * and runs each operation on it alone; nothing else touches it. Every operation first reclaims the reservations
 * whose lease ended (their tokens stay counted: how many they used is unknown), and never lets time run backwards
 * (a wall clock set back, or another node's, counts as the latest time seen).
 */
public final class ContractState {
    private record Lease(long second, long tokens, long expiresAt) {}

    private final MinuteWindow window = new MinuteWindow();
    private final LinkedHashMap<Long, Lease> leases = new LinkedHashMap<>(); // in order of admission, so of expiry
    private long nextId = 1;
    private long reclaimed;
    private long latest = Long.MIN_VALUE;

    /** Admits a request of {@code tokens} tokens under {@code contract}'s limits, or says which limit refuses. */
    Admission reserve(CapacityContract contract, long tokens, long clockMillis) {
        long now = advance(clockMillis);
        ContractLimits limits = contract.limits();
        if (limits.tpm().isPresent() && tokens > limits.tpm().getAsLong()) {
            return new Refusal(RefusalReason.LARGER_THAN_TPM, Optional.empty());
        }
        RefusalReason reason = null;
        long wait = 0;
        if (limits.maxConcurrent().isPresent() && leases.size() >= limits.maxConcurrent().getAsInt()) {
            reason = RefusalReason.CONCURRENCY;
            wait = limits.slotRetryAfter().toMillis();
        }
        if (limits.rpm().isPresent() && window.requests(now) >= limits.rpm().getAsInt()) {
            long w = window.millisUntilRequestsAtMost(limits.rpm().getAsInt() - 1L, now);
            if (reason == null || w > wait) {
                reason = RefusalReason.REQUESTS_PER_MINUTE;
                wait = w;
            }
        }
        if (limits.tpm().isPresent() && window.tokens(now) + tokens > limits.tpm().getAsLong()) {
            long w = window.millisUntilTokensAtMost(limits.tpm().getAsLong() - tokens, now);
            if (reason == null || w > wait) {
                reason = RefusalReason.TOKENS_PER_MINUTE;
                wait = w;
            }
        }
        if (reason != null) return new Refusal(reason, Optional.of(Duration.ofMillis(wait)));

        long id = nextId++;
        long second = MinuteWindow.secondOf(now);
        long expiresAt = now + limits.lease().toMillis();
        window.add(second, tokens);
        leases.put(id, new Lease(second, tokens, expiresAt));
        return new Reservation(contract, id, tokens, Instant.ofEpochMilli(now), Instant.ofEpochMilli(expiresAt));
    }

    /** Replaces reservation {@code id}'s tokens with the real count and frees its slot; false if it was not held. */
    boolean settle(long id, long actualTokens, long clockMillis) {
        advance(clockMillis);
        Lease lease = leases.remove(id);
        if (lease == null) return false;
        window.adjust(lease.second(), 0, actualTokens - lease.tokens());
        return true;
    }

    /** Gives back all reservation {@code id} took: slot, request and tokens; false if it was not held. */
    boolean release(long id, long clockMillis) {
        advance(clockMillis);
        Lease lease = leases.remove(id);
        if (lease == null) return false;
        window.adjust(lease.second(), -1, -lease.tokens());
        return true;
    }

    ContractSnapshot snapshot(ContractLimits limits, long clockMillis) {
        long now = advance(clockMillis);
        return new ContractSnapshot(leases.size(), window.requests(now), window.tokens(now), reclaimed, limits);
    }

    private static final int FORMAT = 1;

    /**
     * The state as bytes, for a {@link ContractStore} that keeps it outside this process (a database shared by
     * several nodes): the minute's buckets still counted, the leases, the next id and the counters.
     */
    public byte[] encode() {
        var bytes = new java.io.ByteArrayOutputStream(256);
        try (var out = new java.io.DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(nextId);
            out.writeLong(reclaimed);
            out.writeLong(latest);
            window.writeTo(out, latest == Long.MIN_VALUE ? Long.MIN_VALUE : MinuteWindow.secondOf(latest));
            out.writeInt(leases.size());
            for (var e : leases.entrySet()) {
                out.writeLong(e.getKey());
                out.writeLong(e.getValue().second());
                out.writeLong(e.getValue().tokens());
                out.writeLong(e.getValue().expiresAt());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // memory streams do not fail
        }
        return bytes.toByteArray();
    }

    /** The state {@link #encode} wrote; an {@link IllegalArgumentException} when the bytes are not one. */
    public static ContractState decode(byte[] bytes) {
        ContractState s = new ContractState();
        try (var in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            if (in.readUnsignedByte() != FORMAT) throw new IllegalArgumentException("unknown contract state format");
            s.nextId = in.readLong();
            s.reclaimed = in.readLong();
            s.latest = in.readLong();
            s.window.readFrom(in);
            int leases = in.readInt();
            for (int i = 0; i < leases; i++) {
                long id = in.readLong();
                s.leases.put(id, new Lease(in.readLong(), in.readLong(), in.readLong()));
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("a truncated contract state", e);
        }
        return s;
    }

    private long advance(long clockMillis) {
        latest = Math.max(latest, clockMillis);
        reclaimExpired(latest);
        return latest;
    }

    private void reclaimExpired(long now) {
        for (Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAt() > now) return;
            it.remove();
            reclaimed++;
        }
    }
}
