package dev.junction.openai;

/**
 * The OpenAI API's error: every failed request answers {@code {"error": {message, type, param, code}}} (and a
 * stream that fails midway sends the same object as its last event). {@code type} is the broad class
 * ({@code invalid_request_error}, {@code rate_limit_error}, {@code server_error}); {@code code} the specific one
 * ({@code model_not_found}, {@code context_length_exceeded}) or null; {@code param} the request field at fault or null.
 */
public record ApiError(String message, String type, String param, String code) {
    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String RATE_LIMIT = "rate_limit_error";
    public static final String SERVER_ERROR = "server_error";

    /** The body the error travels in. */
    public record Body(ApiError error) {
    }

    public Body body() {
        return new Body(this);
    }
}
