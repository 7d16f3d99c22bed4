package dev.junction.openai;

/**
 * A request the OpenAI API would refuse with 400 {@code invalid_request_error}: malformed JSON, a field of the wrong
 * type, a missing required field or an unsupported value. {@code param} names the field at fault (for example
 * {@code messages[0].content}), or is null when the whole body is at fault.
 */
public final class InvalidRequestException extends RuntimeException {
    private final String param;

    public InvalidRequestException(String param, String message) {
        super(message);
        this.param = param;
    }

    /** The field at fault, or null. */
    public String param() {
        return param;
    }
}
