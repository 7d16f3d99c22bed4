package dev.junction.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * One event of a streaming chat completion: {@code "object": "chat.completion.chunk"}. A stream sends, per choice,
 * a first chunk whose delta holds the role, content chunks, and a last chunk with {@code finish_reason}; with
 * {@code stream_options.include_usage} a final chunk with no choices carries the usage.
 *
 * @param usage present only on the final usage chunk
 */
@JsonPropertyOrder({"id", "object", "created", "model", "system_fingerprint", "choices", "usage"})
public record ChatCompletionChunk(String id, long created, String model, String systemFingerprint,
                                  List<Choice> choices,
                                  @JsonInclude(JsonInclude.Include.NON_NULL) CompletionUsage usage) {
    public static final String OBJECT = "chat.completion.chunk";

    /** {@code finishReason} is null until the choice's last chunk. */
    public record Choice(int index, Delta delta, ChatCompletion.Logprobs logprobs, String finishReason) {
    }

    /** What this chunk adds; absent fields add nothing ({@code reasoning_content}: see {@link ChatCompletion.Message}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content, String reasoningContent) {
        public static final Delta EMPTY = new Delta(null, null, null);

        public Delta(String role, String content) {
            this(role, content, null);
        }

        public static Delta content(String content) {
            return new Delta(null, content, null);
        }

        /** Answer and reasoning text of one token; each left out when empty. */
        public static Delta of(String content, String reasoning) {
            return new Delta(null, content.isEmpty() && !reasoning.isEmpty() ? null : content,
                    reasoning.isEmpty() ? null : reasoning);
        }
    }

    public ChatCompletionChunk {
        choices = List.copyOf(choices);
    }

    @JsonProperty("object")
    public String object() {
        return OBJECT;
    }
}
