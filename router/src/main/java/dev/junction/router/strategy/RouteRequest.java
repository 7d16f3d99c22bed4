package dev.junction.router.strategy;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a strategy knows of the request it orders deployments for.
 *
 * @param model        the public model name
 * @param promptTokens an estimate of the prompt's tokens (see {@link #estimateTokens(CharSequence)})
 * @param maxTokens    the request's {@code max_tokens}; empty when it leaves it out
 * @param prompt       the prompt as text, for {@code prefix}: a completion's prompt as sent, a chat's messages as
 *                     {@link #chatPrompt(List)} joins them
 */
public record RouteRequest(String model, int promptTokens, OptionalInt maxTokens, String prompt) {
    /** The completion tokens a request without {@code max_tokens} is expected to take, for cost and tpm headroom. */
    public static final int DEFAULT_COMPLETION_TOKENS = 256;

    /** One message of a chat: its role ({@code system}, {@code user}, …) and its text. */
    public record Turn(String role, String content) {
        public Turn {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }
    }

    public RouteRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(maxTokens, "maxTokens");
        Objects.requireNonNull(prompt, "prompt");
        if (promptTokens < 0) throw new IllegalArgumentException("promptTokens must not be negative");
        if (maxTokens.orElse(0) < 0) throw new IllegalArgumentException("maxTokens must not be negative");
    }

    /** {@code max_tokens}, or {@link #DEFAULT_COMPLETION_TOKENS} when the request leaves it out. */
    public int completionTokens() {
        return maxTokens.orElse(DEFAULT_COMPLETION_TOKENS);
    }

    /** Prompt plus {@link #completionTokens()}: what a deployment needs left under its {@code tpm} to take it. */
    public long tokensToReserve() {
        return (long) promptTokens + completionTokens();
    }

    /**
     * A chat's messages as one text, in order, each as its role on a line of its own and then its content, so that two
     * chats share a prefix exactly as far as their messages (roles included) agree.
     */
    public static String chatPrompt(List<Turn> turns) {
        StringBuilder text = new StringBuilder();
        for (Turn turn : turns) text.append('<').append(turn.role()).append(">\n").append(turn.content()).append('\n');
        return text.toString();
    }

    /** A rough token count for a text: about four characters a token, as for English with the common vocabularies. */
    public static int estimateTokens(CharSequence text) {
        return (text.length() + 3) / 4;
    }
}
