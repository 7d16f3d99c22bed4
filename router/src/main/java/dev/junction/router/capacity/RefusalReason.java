package dev.junction.router.capacity;

/** Which limit of a capacity contract refused a request. */
public enum RefusalReason {
    /** {@code max_concurrent} requests are in flight. */
    CONCURRENCY,
    /** {@code rpm} requests were admitted in the last minute. */
    REQUESTS_PER_MINUTE,
    /** The request's tokens do not fit in what is left of {@code tpm} for the last minute. */
    TOKENS_PER_MINUTE,
    /** The request alone needs more tokens than {@code tpm}: it never fits this deployment. */
    LARGER_THAN_TPM
}
