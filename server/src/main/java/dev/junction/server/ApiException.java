package dev.junction.server;

import dev.junction.inference.InferenceException;
import dev.junction.openai.ApiError;
import dev.junction.openai.InvalidRequestException;

/**
 * A request answered with an OpenAI error body and an HTTP status. Handlers and {@link RequestInterceptor}s throw it
 * to refuse a request (an authentication interceptor throws a 401); every failure of the service is translated into
 * one by {@link #from(InferenceException)}, so the mapping from failure to status lives in one place.
 *
 * @see ApiError
 */
public final class ApiException extends RuntimeException {
    /** Shown for every unexpected failure; the details go to the log, never to the client. */
    static final String INTERNAL_MESSAGE = "The server had an error while processing your request.";

    private final int status;
    private final ApiError error;
    private final int retryAfterSeconds;

    public ApiException(int status, ApiError error) {
        this(status, error, 0);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After} when positive */
    public ApiException(int status, ApiError error, int retryAfterSeconds) {
        super(error.message());
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException invalidRequest(String param, String message) {
        return new ApiException(400, new ApiError(message, ApiError.INVALID_REQUEST, param, null));
    }

    static ApiException from(InvalidRequestException e) {
        return invalidRequest(e.param(), e.getMessage());
    }

    /** The one mapping of service failures to HTTP: 400, 404, 429 (with Retry-After), 503 or 500. */
    public static ApiException from(InferenceException e) {
        return switch (e.kind()) {
            case INVALID_REQUEST -> invalidRequest(e.param(), e.getMessage());
            case CONTEXT_LENGTH_EXCEEDED -> new ApiException(400,
                    new ApiError(e.getMessage(), ApiError.INVALID_REQUEST, e.param(), "context_length_exceeded"));
            case MODEL_NOT_FOUND -> new ApiException(404,
                    new ApiError(e.getMessage(), ApiError.INVALID_REQUEST, "model", "model_not_found"));
            case OVERLOADED -> new ApiException(429,
                    new ApiError(e.getMessage(), ApiError.RATE_LIMIT, null, "server_overloaded"),
                    Math.max(1, e.retryAfterSeconds()));
            case QUEUE_TIMEOUT -> new ApiException(503,
                    new ApiError(e.getMessage(), ApiError.SERVER_ERROR, null, "queue_timeout"));
            case UNAVAILABLE -> unavailable(e.getMessage());
            case INTERNAL -> internal();
        };
    }

    static ApiException unavailable(String message) {
        return new ApiException(503, new ApiError(message, ApiError.SERVER_ERROR, null, "service_unavailable"));
    }

    static ApiException internal() {
        return new ApiException(500, new ApiError(INTERNAL_MESSAGE, ApiError.SERVER_ERROR, null, null));
    }

    public int status() {
        return status;
    }

    public ApiError error() {
        return error;
    }

    /** When to retry, for 429; 0 = no advice. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
