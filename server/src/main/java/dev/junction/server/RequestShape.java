package dev.junction.server;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a generation request asks for, as far as admission needs to know before it runs: the model, how big the
 * request is and how many tokens it may generate. A limiter reserves from this; the real count settles it.
 *
 * @param bodyBytes the size of the request body (an upper bound for its prompt's characters)
 * @param maxTokens {@code max_completion_tokens} or {@code max_tokens} when the request gave one
 * @param choices   {@code n}: how many completions are generated for each prompt
 * @param prompts   how many prompts (a legacy completion may send several)
 */
public record RequestShape(String model, int bodyBytes, OptionalInt maxTokens, int choices, int prompts,
                           boolean stream) {
    public RequestShape {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(maxTokens, "maxTokens");
    }
}
