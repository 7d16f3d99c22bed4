package dev.junction.cli;

import dev.junction.engine.sampling.TopTokens;

import java.io.PrintWriter;

/**
 * What {@code junction run --show-logits K} and {@code --jsonl} print: a line per generated token, its step and id
 * and the K highest raw logits of that step (highest first; ties by the lower id), as JSON or as plain text — what
 * someone checking a conversion against llama.cpp's logits compares.
 */
final class TokenLines {
    private final PrintWriter out;
    private final boolean json;
    private final int k;
    private int[] topIds = new int[0];
    private float[] topLogits = new float[0];
    private int step; // of the logits last kept

    TokenLines(PrintWriter out, boolean json, int k) {
        this.out = out;
        this.json = json;
        this.k = k;
    }

    /** Keeps the step's top K (called before the step's token is sampled). */
    void logits(int step, float[] logits) {
        this.step = step;
        topIds = TopTokens.of(logits, 0, logits.length, k);
        topLogits = new float[topIds.length];
        for (int i = 0; i < topIds.length; i++) topLogits[i] = logits[topIds[i]];
    }

    /** Prints the line of a generated token (the held-back text at the end, token -1, prints nothing). */
    boolean token(int token, String text) {
        if (token < 0) return true;
        StringBuilder line = new StringBuilder();
        if (json) {
            line.append("{\"step\": ").append(step).append(", \"token\": ").append(token);
            if (k > 0) {
                line.append(", \"top\": [");
                for (int i = 0; i < topIds.length; i++) {
                    if (i > 0) line.append(", ");
                    line.append('[').append(topIds[i]).append(", ").append(number(topLogits[i])).append(']');
                }
                line.append(']');
            }
            line.append('}');
        } else {
            line.append("step ").append(step).append(" token ").append(token).append(" top");
            for (int i = 0; i < topIds.length; i++) {
                line.append(' ').append(topIds[i]).append(':').append(number(topLogits[i]));
            }
        }
        out.println(line);
        out.flush();
        return true;
    }

    /** A float as JSON: its shortest decimal form; NaN and infinities (never valid JSON numbers) as null. */
    private static String number(float v) {
        return Float.isFinite(v) ? Float.toString(v) : "null";
    }
}
