package dev.junction.engine.model;

import dev.junction.engine.kernel.Ops;
import dev.junction.engine.kernel.Parallel;

import java.util.Arrays;

/**
 * Causal grouped-query attention for the rows of a step: each (row, head) pair attends over its sequence's cached
 * keys and values up to its own position (F32 or F16, see {@link KvCache}). Scores are computed a tile of positions at a time with an online softmax
 * (running maximum and sum, earlier output rescaled when the maximum grows), so memory does not grow with the context
 * and long contexts need no buffer of their length. Pairs are spread over the threads; reusable and allocation-free.
 */
final class Attention implements Parallel.RangeBody {
    private static final int TILE = 64;

    private final int heads, headDim, qDim, group;
    private final float scale;
    private final float[] scores; // TILE floats per (row, head) pair

    private Transformer.Workspace ws;
    private int layer, outStride;

    Attention(ModelConfig c, int maxRows) {
        heads = c.heads();
        headDim = c.headDim();
        qDim = c.qDim();
        group = heads / c.kvHeads();
        scale = (float) (1.0 / Math.sqrt(headDim));
        scores = new float[maxRows * heads * TILE];
    }

    /** Writes each row's attention output to {@code ws.xb} (row stride {@code outStride}). */
    void run(Transformer.Workspace ws, int layer, int outStride, Parallel parallel) {
        this.ws = ws;
        this.layer = layer;
        this.outStride = outStride;
        parallel.forRange(ws.rows * heads, 1, this);
        this.ws = null;
    }

    @Override
    public void run(int from, int to) {
        for (int pair = from; pair < to; pair++) {
            int row = pair / heads, h = pair % heads;
            KvCache cache = ws.sequences[row].cache;
            attend(ws.q, row * qDim + h * headDim, cache, (h / group) * headDim, ws.positions[row] + 1, ws.xb,
                    row * outStride + h * headDim, pair * TILE);
        }
    }

    /** out = softmax(q·K[0..positions) · scale) · V, over one head. */
    private void attend(float[] q, int qOffset, KvCache cache, int kvOffset, int positions, float[] out, int outOffset,
                        int scratch) {
        float max = Float.NEGATIVE_INFINITY, sum = 0;
        Arrays.fill(out, outOffset, outOffset + headDim, 0f);
        for (int start = 0; start < positions; start += TILE) {
            int end = Math.min(positions, start + TILE);
            float tileMax = Float.NEGATIVE_INFINITY;
            for (int t = start; t < end; t++) {
                float s = cache.dotKey(layer, t, kvOffset, q, qOffset, headDim) * scale;
                scores[scratch + t - start] = s;
                tileMax = Math.max(tileMax, s);
            }
            if (tileMax > max) {
                float correction = (float) Math.exp(max - tileMax);
                sum *= correction;
                Ops.scale(out, outOffset, headDim, correction);
                max = tileMax;
            }
            for (int t = start; t < end; t++) {
                float e = (float) Math.exp(scores[scratch + t - start] - max);
                sum += e;
                cache.addValue(layer, t, kvOffset, e, out, outOffset, headDim);
            }
        }
        Ops.scale(out, outOffset, headDim, 1f / sum);
    }
}
