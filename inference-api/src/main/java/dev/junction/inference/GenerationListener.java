package dev.junction.inference;

/**
 * Receives one generation's events in order: {@link #onToken} for each generated token, then exactly one of
 * {@link #onComplete} or {@link #onError}. Called from the service's thread: implementations hand the events on
 * (to a queue, a socket writer) and return quickly.
 */
public interface GenerationListener {
    void onToken(TokenEvent token);

    void onComplete(Completion completion);

    void onError(InferenceException error);
}
