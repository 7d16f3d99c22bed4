package dev.junction.router.capacity;

import java.time.InstantSource;
import java.util.Objects;

/**
 * Admission under one deployment's capacity contract. {@link #tryReserve(int, int)} checks and takes the three
 * limits at once: after admission no more than {@code max_concurrent} requests are in flight, no more than
 * {@code rpm} requests and {@code tpm} tokens fall in the last minute; otherwise it takes nothing and says which limit
 * refused and when to try again. The counters live in the {@link ContractStore} under this contract's key, so a
 * contract made again with new limits (a reloaded configuration) carries on with the same counters.
 *
 * <p>Thread-safe, as its store is. Time comes from the clock, read inside each atomic change.
 */
public final class CapacityContract {
    private final String key;
    private final ContractLimits limits;
    private final ContractStore store;
    private final InstantSource clock;

    public CapacityContract(String key, ContractLimits limits, ContractStore store, InstantSource clock) {
        this.key = Objects.requireNonNull(key, "key");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Reserves a request of {@code promptTokens} that may generate up to {@code maxTokens}, or refuses it. */
    public Admission tryReserve(int promptTokens, int maxTokens) {
        if (promptTokens < 0 || maxTokens < 0) throw new IllegalArgumentException("token counts must not be negative");
        long tokens = (long) promptTokens + maxTokens;
        return store.update(key, state -> state.reserve(this, tokens, clock.millis()));
    }

    public ContractSnapshot snapshot() {
        return store.update(key, state -> state.snapshot(limits, clock.millis()));
    }

    public String key() {
        return key;
    }

    public ContractLimits limits() {
        return limits;
    }

    boolean settle(long id, long actualTokens) {
        return store.update(key, state -> state.settle(id, actualTokens, clock.millis()));
    }

    boolean release(long id) {
        return store.update(key, state -> state.release(id, clock.millis()));
    }
}
