package dev.junction.router.capacity;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted request's hold on its deployment's contract: a concurrency slot, a place among the minute's requests
 * and {@link #reservedTokens()} tokens. Complete it exactly once: {@link #settle(int)} when the request ran, with the
 * tokens it really used, or {@link #release()} when it never ran. Only the first completion counts; a later one is
 * a no-op. A reservation completed by nobody is reclaimed when its lease ends ({@link #leaseExpiresAt()}): it frees
 * its slot then, but its tokens stay counted for their minute.
 */
public final class Reservation implements Admission {
    private final CapacityContract contract;
    private final long id;
    private final long reservedTokens;
    private final Instant admittedAt;
    private final Instant leaseExpiresAt;
    private final AtomicBoolean completed = new AtomicBoolean();

    Reservation(CapacityContract contract, long id, long reservedTokens, Instant admittedAt, Instant leaseExpiresAt) {
        this.contract = contract;
        this.id = id;
        this.reservedTokens = reservedTokens;
        this.admittedAt = admittedAt;
        this.leaseExpiresAt = leaseExpiresAt;
    }

    /** The request's prompt plus its {@code max_tokens}, counted until it is settled. */
    public long reservedTokens() {
        return reservedTokens;
    }

    /** When the contract admitted it, by the contract's clock. */
    public Instant admittedAt() {
        return admittedAt;
    }

    public Instant leaseExpiresAt() {
        return leaseExpiresAt;
    }

    /**
     * The request ran and used {@code actualTokens} (prompt plus completion), which replace the reserved count in
     * its minute; frees the slot. Returns whether this call completed the reservation: false when it was already
     * completed, or reclaimed after its lease.
     */
    public boolean settle(int actualTokens) {
        if (actualTokens < 0) throw new IllegalArgumentException("actualTokens must not be negative");
        return completed.compareAndSet(false, true) && contract.settle(id, actualTokens);
    }

    /**
     * The request never ran: gives back the slot, its place in the minute and its tokens. Returns whether this call
     * completed the reservation: false when it was already completed, or reclaimed after its lease.
     */
    public boolean release() {
        return completed.compareAndSet(false, true) && contract.release(id);
    }

    @Override
    public String toString() {
        return "Reservation[" + id + ", " + reservedTokens + " tokens, admitted " + admittedAt + "]";
    }
}
