package dev.junction.engine.runtime;

import java.util.Arrays;

/**
 * The work of one engine step, as the {@link Scheduler} decided it: for each scheduled sequence, the run of its
 * tokens to compute ({@code count} tokens from position {@code start}) and whether the logits of the last one are
 * wanted (they are when that token is the sequence's last, so a new token can be sampled). Decoding sequences come
 * first, one token each, then prompt chunks. Reused from step to step: valid until the next
 * {@link Scheduler#schedule()}.
 */
public final class StepPlan {
    private Sequence[] sequences;
    private int[] starts;
    private int[] counts;
    private boolean[] wantsLogits;
    private boolean[] admitted;
    private int size;
    private int tokens;

    StepPlan(int capacity) {
        sequences = new Sequence[capacity];
        starts = new int[capacity];
        counts = new int[capacity];
        wantsLogits = new boolean[capacity];
        admitted = new boolean[capacity];
    }

    /** Sequences in the step. */
    public int size() {
        return size;
    }

    /** Tokens in the step, over all sequences (rows of the model's batch). */
    public int tokens() {
        return tokens;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public Sequence sequence(int i) {
        return sequences[check(i)];
    }

    /** The first position computed for entry {@code i}: it computes {@code sequence.tokens()[start, start + count)}. */
    public int start(int i) {
        return starts[check(i)];
    }

    public int count(int i) {
        return counts[check(i)];
    }

    /** Whether the runner must produce the logits of the entry's last token. */
    public boolean wantsLogits(int i) {
        return wantsLogits[check(i)];
    }

    /**
     * Whether the sequence was (re)admitted in this step, so its slot in the runner held another sequence (or this one
     * before a preemption) and its block mapping must be built afresh.
     */
    public boolean admitted(int i) {
        return admitted[check(i)];
    }

    void clear() {
        Arrays.fill(sequences, 0, size, null);
        size = 0;
        tokens = 0;
    }

    void add(Sequence s, int start, int count, boolean admittedNow) {
        if (size == sequences.length) {
            int n = size * 2;
            sequences = Arrays.copyOf(sequences, n);
            starts = Arrays.copyOf(starts, n);
            counts = Arrays.copyOf(counts, n);
            wantsLogits = Arrays.copyOf(wantsLogits, n);
            admitted = Arrays.copyOf(admitted, n);
        }
        sequences[size] = s;
        starts[size] = start;
        counts[size] = count;
        wantsLogits[size] = start + count == s.length();
        admitted[size] = admittedNow;
        size++;
        tokens += count;
    }

    /** Takes a preempted sequence out of the plan; returns the tokens it had (0 if it was not in it). */
    int remove(Sequence s) {
        for (int i = 0; i < size; i++) {
            if (sequences[i] != s) continue;
            int count = counts[i];
            int tail = size - i - 1;
            System.arraycopy(sequences, i + 1, sequences, i, tail);
            System.arraycopy(starts, i + 1, starts, i, tail);
            System.arraycopy(counts, i + 1, counts, i, tail);
            System.arraycopy(wantsLogits, i + 1, wantsLogits, i, tail);
            System.arraycopy(admitted, i + 1, admitted, i, tail);
            sequences[--size] = null;
            tokens -= count;
            return count;
        }
        return 0;
    }

    private int check(int i) {
        if (i >= size) throw new IndexOutOfBoundsException("entry " + i + " of " + size);
        return i;
    }
}
