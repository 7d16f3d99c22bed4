package dev.junction.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/** The answer to a non-streaming {@code POST /v1/chat/completions}: {@code "object": "chat.completion"}. */
@JsonPropertyOrder({"id", "object", "created", "model", "system_fingerprint", "choices", "usage"})
public record ChatCompletion(String id, long created, String model, String systemFingerprint, List<Choice> choices,
                             CompletionUsage usage) {
    public static final String OBJECT = "chat.completion";

    /**
     * @param logprobs     null unless the request asked for log-probabilities
     * @param finishReason {@code stop} or {@code length}
     */
    public record Choice(int index, Message message, Logprobs logprobs, String finishReason) {
    }

    /**
     * The assistant's turn; {@code reasoningContent} is the model's reasoning written apart from its answer (the field
     * vLLM and llama.cpp's server use; absent for models that do not reason apart, so clients that do not know it see
     * only the answer); {@code refusal} is always null (no refusal channel).
     */
    public record Message(String role, String content,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String reasoningContent, String refusal) {
        public static Message assistant(String content) {
            return new Message("assistant", content, null, null);
        }

        /** The assistant's answer with its reasoning, which is left out when empty. */
        public static Message assistant(String content, String reasoning) {
            return new Message("assistant", content, reasoning == null || reasoning.isEmpty() ? null : reasoning, null);
        }
    }

    /** {@code content}: one entry per generated token; {@code refusal}: always null. */
    public record Logprobs(List<TokenLogprob> content, List<TokenLogprob> refusal) {
        public static Logprobs of(List<TokenLogprob> content) {
            return new Logprobs(content, null);
        }
    }

    public ChatCompletion {
        choices = List.copyOf(choices);
    }

    @JsonProperty("object")
    public String object() {
        return OBJECT;
    }
}
