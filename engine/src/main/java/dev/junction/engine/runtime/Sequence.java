package dev.junction.engine.runtime;

import java.util.Arrays;

/**
 * One generation as the {@link Scheduler} sees it: its tokens (the prompt, then each sampled token), how many of
 * them have their keys and values in the KV cache, and the blocks holding those. The tokens from {@link #computed()}
 * to {@link #length()} are still to be run through the model: the whole prompt at first (in chunks), one token per
 * step while decoding, everything again after a preemption. Changed only by the scheduler, on the engine thread.
 */
public final class Sequence {
    /** Where a sequence is. */
    public enum State { WAITING, RUNNING, FINISHED }

    private final long id;
    private final int promptLength;
    private final int maxLength;
    private final boolean scorePrompt;
    private final BlockTable blocks = new BlockTable();
    private int[] tokens;
    private int length;
    int computed;
    int slot = -1;
    int admissions;
    int preemptions;
    int cachedTokens;
    State state = State.WAITING;

    Sequence(long id, int[] prompt, int maxLength, boolean scorePrompt) {
        this.id = id;
        this.scorePrompt = scorePrompt;
        this.promptLength = prompt.length;
        this.maxLength = maxLength;
        this.tokens = Arrays.copyOf(prompt, Math.min(maxLength, prompt.length + 256));
        this.length = prompt.length;
    }

    /** Unique within its scheduler, in order of submission. */
    public long id() {
        return id;
    }

    public int promptLength() {
        return promptLength;
    }

    /** The most tokens (prompt and generated) the sequence may reach. */
    public int maxLength() {
        return maxLength;
    }

    /** Tokens so far: the prompt and the generated ones. */
    public int length() {
        return length;
    }

    public int generated() {
        return length - promptLength;
    }

    public int token(int i) {
        if (i >= length) throw new IndexOutOfBoundsException("token " + i + " of " + length);
        return tokens[i];
    }

    /**
     * Whether its prompt is still to be scored: the logits after each prompt position are wanted, not only after the
     * last one, so the prompt is computed rather than taken from the prefix cache. True for a sequence that asked,
     * until it generated its first token (a preempted sequence recomputes its prompt without scoring it again).
     */
    public boolean scoresPrompt() {
        return scorePrompt && length == promptLength;
    }

    /** The token array, valid up to {@link #length()}; read-only for everyone but the scheduler. */
    public int[] tokens() {
        return tokens;
    }

    /** Leading tokens whose keys and values are in the KV cache (computed, or mapped from the prefix cache). */
    public int computed() {
        return computed;
    }

    /** The KV blocks holding its positions, in order. */
    public BlockTable blocks() {
        return blocks;
    }

    /** The runner slot it occupies while running ({@code 0 .. maxRunning - 1}), else -1. */
    public int slot() {
        return slot;
    }

    public State state() {
        return state;
    }

    /** Times it was admitted to run: 1 normally, more after preemptions. */
    public int admissions() {
        return admissions;
    }

    /** Times it was preempted to make room for older sequences. */
    public int preemptions() {
        return preemptions;
    }

    /** Tokens found in the prefix cache at its last admission. */
    public int cachedTokens() {
        return cachedTokens;
    }

    void append(int token) {
        if (length == maxLength) {
            throw new IllegalStateException("sequence " + id + " is at its maximum length " + maxLength);
        }
        if (length == tokens.length) tokens = Arrays.copyOf(tokens, Math.min(maxLength, tokens.length * 2));
        tokens[length++] = token;
    }

    @Override
    public String toString() {
        return "Sequence[" + id + ", " + state + ", " + computed + "/" + length + " computed, " + blocks.size()
                + " blocks]";
    }
}
