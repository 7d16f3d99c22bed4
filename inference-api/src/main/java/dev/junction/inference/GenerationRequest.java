package dev.junction.inference;

import java.util.List;
import java.util.Objects;

/**
 * What to generate.
 *
 * @param model       a model id from {@link InferenceService#models()}
 * @param prompt      text, tokens or chat messages (rendered with the model's chat template)
 * @param sampling    how to pick tokens
 * @param maxTokens   the most tokens to generate; 0 or less means "until the context is full"
 * @param stop        strings that end the generation when produced; they are not part of the output
 * @param logprobs    whether each token event carries its log-probability
 * @param topLogprobs how many most likely alternatives each token event lists (0–20), with {@code logprobs}
 * @param promptLogprobs whether the prompt's own tokens are scored too ({@link GenerationListener#onPromptLogprobs},
 *                    before the first token; what the legacy API's {@code echo} with {@code logprobs} shows). It
 *                    costs the output projection at every prompt position, and the prompt is computed afresh
 *                    rather than taken from the prefix cache.
 */
public record GenerationRequest(String model, Prompt prompt, Sampling sampling, int maxTokens, List<String> stop,
                                boolean logprobs, int topLogprobs, boolean promptLogprobs) {
    /** The most alternatives a token event lists, as in the OpenAI API. */
    public static final int MAX_TOP_LOGPROBS = 20;

    public GenerationRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        sampling = sampling == null ? Sampling.DEFAULTS : sampling;
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) throw new InferenceException(InferenceException.Kind.INVALID_REQUEST, "stop",
                    "stop strings must not be empty");
        }
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new InferenceException(InferenceException.Kind.INVALID_REQUEST, "top_logprobs",
                    "top_logprobs must be between 0 and " + MAX_TOP_LOGPROBS + ", got " + topLogprobs);
        }
    }

    /** A request that does not score its prompt. */
    public GenerationRequest(String model, Prompt prompt, Sampling sampling, int maxTokens, List<String> stop,
                             boolean logprobs, int topLogprobs) {
        this(model, prompt, sampling, maxTokens, stop, logprobs, topLogprobs, false);
    }

    /** A plain request: greedy-free defaults, no stop strings, no log-probabilities. */
    public static GenerationRequest of(String model, Prompt prompt, int maxTokens) {
        return new GenerationRequest(model, prompt, Sampling.DEFAULTS, maxTokens, List.of(), false, 0);
    }

    public GenerationRequest withSampling(Sampling s) {
        return new GenerationRequest(model, prompt, s, maxTokens, stop, logprobs, topLogprobs, promptLogprobs);
    }
}
