package dev.junction.server;

import dev.junction.inference.FinishReason;
import dev.junction.inference.TokenEvent;
import dev.junction.inference.TokenLogprob;
import dev.junction.inference.Usage;
import dev.junction.openai.CompletionUsage;

import java.util.List;

/** The chunks of one endpoint's stream; {@link StreamingResponse} decides when each is sent. */
interface ChunkFormat {
    /** Sent before any token: chat's role deltas, legacy completions' echoed prompts. */
    List<Object> opening();

    /** The chunk for the scores of a choice's prompt, or null when the format has no place for them. */
    default Object prompt(int choice, List<TokenLogprob> logprobs) {
        return null;
    }

    /** The chunk for one token of a choice, or null when it adds nothing (text held back, no log-probability). */
    Object token(int choice, TokenEvent token);

    /** The last chunk of a choice, with its finish reason. */
    Object finish(int choice, FinishReason reason);

    /** The chunk with no choices that ends a stream asked for {@code include_usage}. */
    Object usage(CompletionUsage usage);

    /** {@code stop} or {@code length}, as the OpenAI API names them. */
    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> throw new IllegalArgumentException("a cancelled choice has no OpenAI finish reason");
        };
    }

    /** The service's usage in the OpenAI shape. */
    static CompletionUsage usage(Usage usage) {
        return CompletionUsage.of(usage.promptTokens(), usage.completionTokens(), usage.cachedTokens());
    }
}
