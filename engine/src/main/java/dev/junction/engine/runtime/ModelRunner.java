package dev.junction.engine.runtime;

/**
 * Runs the model for one {@link StepPlan}: every planned token at its position, keys and values written into the
 * sequence's KV blocks, logits produced for the entries that want them. The engine thread calls it; sampling and
 * everything after stay outside, so a fake runner (deterministic logits) can drive the whole serving core in tests.
 *
 * <p>A runner keeps per-slot state (one slot per running sequence, {@link Sequence#slot()}); a plan entry marked
 * {@link StepPlan#admitted} means the slot changed hands and its block mapping must be rebuilt from
 * {@link Sequence#blocks()}. Blocks only ever grow while a sequence runs.
 */
public interface ModelRunner extends AutoCloseable {
    /** Size of the logits vectors (the model's vocabulary). */
    int vocabSize();

    /**
     * Computes the plan. If it throws, nothing of the plan may be relied upon: the engine fails the plan's sequences.
     * For each sequence that {@linkplain Sequence#scoresPrompt() scores its prompt}, the logits after every prompt
     * position the plan computes, but the last, go to {@code promptScores} as they are computed.
     */
    void execute(StepPlan plan, PromptScores promptScores);

    /**
     * The logits of the last token of {@code sequence}'s entry in the plan just executed, which must have wanted them.
     * The runner's buffer: read it before the next {@link #execute}, never write it.
     */
    float[] logits(Sequence sequence);

    /** Receives the logits after a prompt position, from which the next prompt token is scored. */
    @FunctionalInterface
    interface PromptScores {
        /** {@code logits[offset, offset + vocabSize)} follow {@code position}; valid only during the call. */
        void accept(Sequence sequence, int position, float[] logits, int offset);
    }

    /** Releases what the runner holds (the engine has stopped). */
    @Override
    default void close() {
    }
}
