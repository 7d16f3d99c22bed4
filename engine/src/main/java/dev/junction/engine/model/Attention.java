package dev.junction.engine.model;

import dev.junction.engine.kernel.Ops;
import dev.junction.engine.kernel.Parallel;

import java.util.Arrays;

/**
 * Causal grouped-query attention for the rows of a step: each query head of a row attends over its sequence's cached
 * keys and values (F32 or F16, see {@link KvCache}) up to the row's own position. Scores are computed a tile of
 * positions at a time with an online softmax (running maximum and sum, earlier output rescaled when the maximum
 * grows), so no buffer grows with the context. The query heads that share a KV head are handled together, so each
 * cached key and value is read from memory once per step, not once per query head. (row, KV head) pairs are spread
 * over the threads; reusable and allocation-free.
 */
final class Attention implements Parallel.RangeBody {
    private static final int TILE = 64;

    private final int heads, kvHeads, headDim, qDim, group;
    private final float scale;
    private final float[] scores;           // TILE floats per (row, query head)
    private final float[] max, sum, tileMax; // per (row, query head): the online softmax state

    private Transformer.Workspace ws;
    private int layer, outStride;

    Attention(ModelConfig c, int maxRows) {
        heads = c.heads();
        kvHeads = c.kvHeads();
        headDim = c.headDim();
        qDim = c.qDim();
        group = heads / kvHeads;
        scale = (float) (1.0 / Math.sqrt(headDim));
        scores = new float[maxRows * heads * TILE];
        max = new float[maxRows * heads];
        sum = new float[maxRows * heads];
        tileMax = new float[maxRows * heads];
    }

    /** Writes each row's attention output to {@code ws.xb} (row stride {@code outStride}). */
    void run(Transformer.Workspace ws, int layer, int outStride, Parallel parallel) {
        this.ws = ws;
        this.layer = layer;
        this.outStride = outStride;
        parallel.forRange(ws.rows * kvHeads, 1, this);
        this.ws = null;
    }

    /** Each task is a (row, KV head) pair: the query heads that share a KV head read its keys and values once. */
    @Override
    public void run(int from, int to) {
        for (int pair = from; pair < to; pair++) {
            int row = pair / kvHeads, kvHead = pair % kvHeads;
            attendGroup(row, kvHead, ws.sequences[row].cache, ws.positions[row] + 1);
        }
    }

    /** out_h = softmax(q_h·K[0..positions) · scale) · V for the query heads h of one KV head. */
    private void attendGroup(int row, int kvHead, KvCache cache, int positions) {
        int firstHead = kvHead * group, state = row * heads + firstHead;
        int qBase = row * qDim + firstHead * headDim, outBase = row * outStride + firstHead * headDim;
        for (int j = 0; j < group; j++) {
            max[state + j] = Float.NEGATIVE_INFINITY;
            sum[state + j] = 0;
        }
        Arrays.fill(ws.xb, outBase, outBase + group * headDim, 0f);
        for (int start = 0; start < positions; start += TILE) {
            int n = Math.min(positions, start + TILE) - start;
            for (int j = 0; j < group; j++) tileMax[state + j] = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < n; t++) {
                for (int j = 0; j < group; j++) {
                    float s = cache.dotKey(layer, start + t, kvHead, ws.q, qBase + j * headDim) * scale;
                    scores[(state + j) * TILE + t] = s;
                    tileMax[state + j] = Math.max(tileMax[state + j], s);
                }
            }
            for (int j = 0; j < group; j++) {
                int h = state + j;
                if (tileMax[h] > max[h]) {
                    float correction = (float) Math.exp(max[h] - tileMax[h]);
                    sum[h] *= correction;
                    Ops.scale(ws.xb, outBase + j * headDim, headDim, correction);
                    max[h] = tileMax[h];
                }
                sum[h] += Ops.expShifted(scores, h * TILE, n, max[h]);
            }
            for (int t = 0; t < n; t++) {
                for (int j = 0; j < group; j++) {
                    cache.addValue(layer, start + t, kvHead, scores[(state + j) * TILE + t], ws.xb,
                            outBase + j * headDim);
                }
            }
        }
        for (int j = 0; j < group; j++) Ops.scale(ws.xb, outBase + j * headDim, headDim, 1f / sum[state + j]);
    }
}
