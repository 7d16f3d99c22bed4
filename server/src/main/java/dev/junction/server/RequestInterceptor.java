package dev.junction.server;

/**
 * A step every {@code /v1} request passes through, in the order given to the server: authentication, then limits,
 * metering and audit as they are added. {@link #onRequest} runs before the body is read and refuses a request by
 * throwing {@link ApiException}; {@link #onBody} runs once a generation request's body has been read and checked
 * ({@link ApiCall#shape()} known, nothing generated yet) and may refuse it the same way; {@link #onResponse} runs for every interceptor, in reverse order, once the request
 * has ended however it ended — also when an interceptor refused it, so audit sees refusals too. Health, readiness
 * and metrics bypass interceptors.
 *
 * <p>Both run on the request's own thread and may block (a database lookup); {@code onResponse} must not throw.
 */
public interface RequestInterceptor {
    /** Inspects the request; throw {@link ApiException} to refuse it. */
    default void onRequest(ApiCall call) {
    }

    /**
     * A generation request ({@code /v1/chat/completions}, {@code /v1/completions}) has been read: admit it or throw
     * {@link ApiException}. Runs only for requests whose body parsed.
     */
    default void onBody(ApiCall call) {
    }

    /** Sees how the request ended. */
    default void onResponse(ApiCall call, ApiOutcome outcome) {
    }
}
