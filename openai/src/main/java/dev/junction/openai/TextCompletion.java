package dev.junction.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;

/**
 * The answer to {@code POST /v1/completions} (legacy): {@code "object": "text_completion"}, both for the whole
 * response and for each chunk of a stream (a chunk's choices carry only the new text).
 *
 * @param usage on a chunk, present only on the final usage chunk
 */
@JsonPropertyOrder({"id", "object", "created", "model", "system_fingerprint", "choices", "usage"})
public record TextCompletion(String id, long created, String model, String systemFingerprint, List<Choice> choices,
                             @JsonInclude(JsonInclude.Include.NON_NULL) CompletionUsage usage) {
    public static final String OBJECT = "text_completion";

    /** {@code finishReason} is {@code stop} or {@code length}; in a stream, null until the choice's last chunk. */
    public record Choice(int index, String text, Logprobs logprobs, String finishReason) {
    }

    /**
     * The legacy log-probability shape: parallel lists, one entry per token.
     *
     * @param topLogprobs per token, the most likely tokens with their log-probabilities (and the chosen token)
     * @param textOffset  per token, where its text starts in the choice's text
     */
    public record Logprobs(List<String> tokens, List<Double> tokenLogprobs, List<Map<String, Double>> topLogprobs,
                           List<Integer> textOffset) {
    }

    public TextCompletion {
        choices = List.copyOf(choices);
    }

    @JsonProperty("object")
    public String object() {
        return OBJECT;
    }
}
