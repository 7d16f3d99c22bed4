package dev.junction.engine.sampling;

import java.util.Arrays;

/** The most likely tokens of a step: the ids of the largest logits. */
public final class TopTokens {
    private TopTokens() {
    }

    /**
     * The ids (0-based within the row) of the {@code k} largest of {@code logits[offset, offset + vocab)}, largest
     * first, the lower id first on ties; NaN logits are never chosen, so fewer than {@code k} may come back. By
     * insertion into a short sorted list: one pass over the row.
     */
    public static int[] of(float[] logits, int offset, int vocab, int k) {
        int[] best = new int[Math.max(0, Math.min(k, vocab))];
        int n = 0;
        for (int i = 0; i < vocab && best.length > 0; i++) {
            float l = logits[offset + i];
            if (l != l || n == best.length && l <= logits[offset + best[n - 1]]) continue;
            int at = n < best.length ? n++ : n - 1;
            while (at > 0 && logits[offset + best[at - 1]] < l) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        return n == best.length ? best : Arrays.copyOf(best, n);
    }
}
