package dev.junction.router.health;

/**
 * Why a request to a deployment failed. Every kind counts the same for a {@link Breaker}; the kind is kept for the
 * snapshot and the log. A client's own mistake (a 4xx other than 429) is no failure of the deployment: complete its
 * permit with {@link Permit#success()}.
 */
public enum Failure {
    /** The connection could not be made, or was reset before an answer. */
    CONNECT,
    /** No first token (or no answer) within its deadline. */
    TIMEOUT,
    /** The upstream answered 5xx. */
    SERVER_ERROR,
    /** The upstream answered 429; with a Retry-After use {@link Permit#rateLimited(java.time.Duration)}. */
    RATE_LIMITED,
    /** A stream stopped sending chunks for longer than its idle timeout. */
    STALLED,
    /** The answer could not be read: not JSON, a malformed chunk, a stream cut before its end. */
    MALFORMED
}
