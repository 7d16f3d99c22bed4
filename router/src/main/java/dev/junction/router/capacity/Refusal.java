package dev.junction.router.capacity;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A request the contract did not admit. When several limits refuse, {@code reason} is the one that frees last.
 *
 * @param retryAfter how long until the limits would admit the same request, if nothing else changes: until enough
 *                   of the minute's requests or tokens leave the window, or {@link ContractLimits#slotRetryAfter()}
 *                   for a full concurrency limit; empty for {@link RefusalReason#LARGER_THAN_TPM} (never)
 */
public record Refusal(RefusalReason reason, Optional<Duration> retryAfter) implements Admission {

    public Refusal {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isEmpty() != (reason == RefusalReason.LARGER_THAN_TPM)) {
            throw new IllegalArgumentException("a retryAfter is given exactly when the request can ever fit");
        }
    }
}
