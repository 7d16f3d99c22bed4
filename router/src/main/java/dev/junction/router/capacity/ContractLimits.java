package dev.junction.router.capacity;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The limits of one deployment's capacity contract, each absent for unlimited: requests in flight
 * ({@code max_concurrent}), requests per minute ({@code rpm}) and tokens per minute ({@code tpm}, counted as a
 * request's prompt plus its {@code max_tokens} until it is settled). A reservation's {@code lease} is how long it
 * holds its place when it is never settled nor released (set it above the deployment's total request timeout);
 * {@code slotRetryAfter} is the Retry-After given when only the concurrency limit refuses, since nobody knows when a
 * request in flight will end.
 */
public record ContractLimits(OptionalInt maxConcurrent, OptionalInt rpm, OptionalLong tpm, Duration lease,
                             Duration slotRetryAfter) {
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(10);
    public static final Duration DEFAULT_SLOT_RETRY_AFTER = Duration.ofSeconds(1);

    public ContractLimits {
        Objects.requireNonNull(maxConcurrent, "maxConcurrent");
        Objects.requireNonNull(rpm, "rpm");
        Objects.requireNonNull(tpm, "tpm");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(slotRetryAfter, "slotRetryAfter");
        if (maxConcurrent.orElse(1) < 1) throw new IllegalArgumentException("max_concurrent must be at least 1");
        if (rpm.orElse(1) < 1) throw new IllegalArgumentException("rpm must be at least 1");
        if (tpm.orElse(1) < 1) throw new IllegalArgumentException("tpm must be at least 1");
        if (lease.toMillis() < 1) throw new IllegalArgumentException("lease must be at least 1 ms");
        if (slotRetryAfter.isNegative()) throw new IllegalArgumentException("slotRetryAfter must not be negative");
    }

    /** No limit at all, with the default lease and slot Retry-After. */
    public static ContractLimits unlimited() {
        return new ContractLimits(OptionalInt.empty(), OptionalInt.empty(), OptionalLong.empty(), DEFAULT_LEASE,
                DEFAULT_SLOT_RETRY_AFTER);
    }

    public ContractLimits withMaxConcurrent(int max) {
        return new ContractLimits(OptionalInt.of(max), rpm, tpm, lease, slotRetryAfter);
    }

    public ContractLimits withRpm(int requestsPerMinute) {
        return new ContractLimits(maxConcurrent, OptionalInt.of(requestsPerMinute), tpm, lease, slotRetryAfter);
    }

    public ContractLimits withTpm(long tokensPerMinute) {
        return new ContractLimits(maxConcurrent, rpm, OptionalLong.of(tokensPerMinute), lease, slotRetryAfter);
    }

    public ContractLimits withLease(Duration newLease) {
        return new ContractLimits(maxConcurrent, rpm, tpm, newLease, slotRetryAfter);
    }

    public ContractLimits withSlotRetryAfter(Duration retryAfter) {
        return new ContractLimits(maxConcurrent, rpm, tpm, lease, retryAfter);
    }
}
