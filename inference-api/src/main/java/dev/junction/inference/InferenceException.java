package dev.junction.inference;

/**
 * A failure a caller can act on: its {@link Kind} says what went wrong (and maps to one HTTP status), {@code param}
 * names the request field at fault, if any. Messages are written for the person who sent the request and never
 * contain the prompt.
 */
public final class InferenceException extends RuntimeException {
    /** What went wrong. */
    public enum Kind {
        /** The request is malformed or a value is out of range (HTTP 400). */
        INVALID_REQUEST,
        /** The prompt and requested output do not fit in the context (HTTP 400, {@code context_length_exceeded}). */
        CONTEXT_LENGTH_EXCEEDED,
        /** No model of that name (HTTP 404, {@code model_not_found}). */
        MODEL_NOT_FOUND,
        /** The queue is full: retry after {@link #retryAfterSeconds()} (HTTP 429). */
        OVERLOADED,
        /** The request waited in the queue longer than allowed (HTTP 503). */
        QUEUE_TIMEOUT,
        /** The service is shutting down or not ready (HTTP 503). */
        UNAVAILABLE,
        /** A bug or an unexpected failure inside the service (HTTP 500). */
        INTERNAL
    }

    private final Kind kind;
    private final String param;
    private final int retryAfterSeconds;

    public InferenceException(Kind kind, String param, String message) {
        this(kind, param, message, 0, null);
    }

    public InferenceException(Kind kind, String param, String message, int retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static InferenceException modelNotFound(String model) {
        return new InferenceException(Kind.MODEL_NOT_FOUND, "model", "The model '" + model + "' does not exist");
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }

    /** For {@link Kind#OVERLOADED}: when to try again. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
