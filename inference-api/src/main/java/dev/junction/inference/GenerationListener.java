package dev.junction.inference;

import java.util.List;

/**
 * Receives one generation's events in order: {@link #onPromptLogprobs} once if the request asked for it, then
 * {@link #onToken} for each generated token, then exactly one of
 * {@link #onComplete} or {@link #onError}. Called from the service's thread: implementations hand the events on
 * (to a queue, a socket writer) and return quickly.
 */
public interface GenerationListener {
    /**
     * The log-probability of each token of the prompt given the ones before it, with its most likely alternatives
     * ({@link GenerationRequest#topLogprobs()} of them), in prompt order; only for requests that asked
     * ({@link GenerationRequest#promptLogprobs()}), before the first token. A start-of-text token the service added
     * itself is left out (so the first entry is scored given it); a first token with nothing before it has
     * {@link Double#NaN} as its log-probability and no alternatives.
     */
    default void onPromptLogprobs(List<TokenLogprob> logprobs) {
    }

    void onToken(TokenEvent token);

    void onComplete(Completion completion);

    void onError(InferenceException error);
}
