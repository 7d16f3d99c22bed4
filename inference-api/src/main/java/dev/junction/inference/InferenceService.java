package dev.junction.inference;

import java.util.List;
import java.util.Optional;

/**
 * Something that generates text from models: the local engine, an upstream supplier, or a composite of them. Callers
 * (the HTTP server, the router) see nothing else of it.
 *
 * <p>{@link #generate} returns at once: the request is queued and its events arrive later, in order, on the
 * {@link GenerationListener} — from the service's own thread, so a listener must hand them on rather than block.
 * Requests the service refuses up front (unknown model, prompt longer than the context, full queue) throw an
 * {@link InferenceException} from {@code generate} itself; failures after that arrive as
 * {@link GenerationListener#onError}. Thread-safe.
 */
public interface InferenceService extends AutoCloseable {
    /** The models this service serves, in a stable order. */
    List<ModelInfo> models();

    /** The model with this id, if served. */
    default Optional<ModelInfo> model(String id) {
        return models().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /**
     * Queues a generation. Exactly one of {@link GenerationListener#onComplete} or {@link GenerationListener#onError}
     * ends it (a cancelled generation completes with {@link FinishReason#CANCELLED}).
     *
     * @throws InferenceException when the request is refused before it is queued
     */
    Generation generate(GenerationRequest request, GenerationListener listener);

    /**
     * The text that a prompt given as token ids spells, as the legacy completions API's {@code echo} shows it: each
     * token's bytes, control tokens as their text, and the first token as {@link GenerationListener#onPromptLogprobs}
     * spells it (the same text as an echo with log-probabilities). Services that cannot tell (one that passes text
     * on to an upstream) refuse.
     *
     * @throws InferenceException for an unknown model ({@link InferenceException.Kind#MODEL_NOT_FOUND}), a token id
     *                            outside the vocabulary, or a service that cannot decode token ids
     */
    default String detokenize(String model, int[] tokens) {
        model(model).orElseThrow(() -> InferenceException.modelNotFound(model));
        throw new InferenceException(InferenceException.Kind.INVALID_REQUEST, "echo", "The model '" + model
                + "' cannot echo a prompt given as token ids: send the prompt as text");
    }

    /** Whether a model is loaded and requests can be served. */
    boolean ready();

    /** Counters and gauges of the serving core, for metrics; services without a scheduler report zeros. */
    default ServiceStats stats() {
        return ServiceStats.EMPTY;
    }

    /**
     * Stops taking requests, lets the running ones finish for up to {@code graceMillis}, then cancels what is left
     * and releases resources. Returns when everything has ended.
     */
    void shutdown(long graceMillis);

    @Override
    default void close() {
        shutdown(0);
    }
}
