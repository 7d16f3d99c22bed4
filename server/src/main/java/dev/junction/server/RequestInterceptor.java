package dev.junction.server;

/**
 * A step every {@code /v1} request passes through, in the order given to the server: authentication, then limits,
 * metering and audit as they are added. {@link #onRequest} runs before the body is read and refuses a request by
 * throwing {@link ApiException}; {@link #onResponse} runs for every interceptor, in reverse order, once the request
 * has ended however it ended — also when an interceptor refused it, so audit sees refusals too. Health, readiness
 * and metrics bypass interceptors.
 *
 * <p>Both run on the request's own thread and may block (a database lookup); {@code onResponse} must not throw.
 */
public interface RequestInterceptor {
    /** Inspects the request; throw {@link ApiException} to refuse it. */
    default void onRequest(ApiCall call) {
    }

    /** Sees how the request ended. */
    default void onResponse(ApiCall call, ApiOutcome outcome) {
    }
}
