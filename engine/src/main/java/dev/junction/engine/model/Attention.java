package dev.junction.engine.model;

import dev.junction.engine.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Causal grouped-query attention for the rows of a step: each query head of a row attends over its sequence's cached
 * keys and values (F32 or F16, through the sequence's block table, see {@link KvCache}) up to the row's own position;
 * in a sliding-window layer only the last {@code window} of them (the query at {@code p} sees {@code p - window + 1 .. p});
 * with sinks, each query head's softmax also counts one extra logit that has no value.
 * Positions are taken a tile of {@link #TILE} at a time (see {@link AttentionKernels}) with an online softmax
 * (running maximum and sum, earlier output rescaled when the maximum grows), so no buffer grows with the context.
 * The query heads that share a KV head are handled together, tile by tile, so each cached key and value is read
 * from memory once per row, not once per query head. (row, KV head) pairs are spread over the threads; reusable and
 * allocation-free.
 *
 * <p>Batch invariance: tiles start at absolute positions (multiples of {@link #TILE}), one thread computes a row's
 * head start to finish, and the kernels are lanewise, so a row's output depends only on its query and the cache up to
 * its position — never on the other rows of the step, how a prompt was chunked, or the block size.
 */
final class Attention implements Parallel.RangeBody {
    /** Positions per tile; also what every block size must be a multiple of. */
    static final int TILE = 16;
    private static final int L = AttentionKernels.L;

    /** Per thread: one (row, KV head) is computed by one thread start to finish, so its state lives here. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final int heads, kvHeads, headDim, qDim, group;
    private final float scale;

    private Transformer.Batch batch;
    private int layer, outStride, window;
    private float[] sinks;

    Attention(ModelConfig c) {
        heads = c.heads();
        kvHeads = c.kvHeads();
        headDim = c.headDim();
        qDim = c.qDim();
        group = heads / kvHeads;
        scale = c.attentionScale();
    }

    /**
     * Writes each row's attention output to {@code batch.xb} (row stride {@code outStride}); {@code window} 0 for
     * the whole context, {@code sinks} (one logit per query head) null for none.
     */
    void run(Transformer.Batch batch, int layer, int window, float[] sinks, int outStride, Parallel parallel) {
        this.batch = batch;
        this.layer = layer;
        this.outStride = outStride;
        this.window = window;
        this.sinks = sinks;
        try {
            parallel.forRange(batch.rows * kvHeads, 1, this);
        } finally {
            this.batch = null;
            this.sinks = null;
        }
    }

    /** Each task is a (row, KV head) pair: the query heads that share a KV head read its keys and values once. */
    @Override
    public void run(int from, int to) {
        Scratch scratch = SCRATCH.get().fit(headDim, group);
        for (int pair = from; pair < to; pair++) {
            int row = pair / kvHeads, kvHead = pair % kvHeads;
            attendGroup(row, kvHead, batch.sequences[row].cache, batch.positions[row] + 1, scratch);
        }
    }

    /**
     * out_h = softmax(q_h·K[first..positions) · scale) · V for the query heads h of one KV head, where {@code first}
     * is 0, or {@code positions - window} in a sliding-window layer; tiles still start at multiples of the tile, the
     * positions before {@code first} in the first one masked.
     */
    private void attendGroup(int row, int kvHead, KvCache cache, int positions, Scratch s) {
        KvPool pool = cache.pool();
        MemorySegment keys = pool.keys(layer), values = pool.values(layer);
        boolean f16 = pool.type() == KvCache.Type.F16;
        int blockSize = pool.blockSize(), tileElements = TILE * headDim;
        int firstHead = kvHead * group;
        int qBase = row * qDim + firstHead * headDim, outBase = row * outStride + firstHead * headDim;
        float[] q = batch.q, out = batch.xb;
        Arrays.fill(s.max, 0, group, Float.NEGATIVE_INFINITY);
        Arrays.fill(s.sums, 0, group * L, 0f);
        Arrays.fill(out, outBase, outBase + group * headDim, 0f);
        int first = window > 0 ? Math.max(0, positions - window) : 0;
        for (int start = first - first % TILE; start < positions; start += TILE) {
            int n = Math.min(TILE, positions - start), masked = first - start; // scores [0, masked) are outside the window
            long tile = pool.tileOffset(cache.block(layer, start / blockSize), kvHead, start % blockSize);
            AttentionKernels.load(keys, tile, f16, s.keys, tileElements);
            AttentionKernels.load(values, tile, f16, s.values, tileElements);
            int j = 0;
            for (; j + 4 <= group; j += 4) { // four query heads per pass over the tile
                int qo = qBase + j * headDim, o = outBase + j * headDim;
                AttentionKernels.score4(s.keys, q, qo, headDim, scale, n, s.probabilities, 0);
                for (int i = 0; i < 4 && masked > 0; i++) Arrays.fill(s.probabilities, i * TILE, i * TILE + masked, Float.NEGATIVE_INFINITY);
                for (int i = 0; i < 4; i++) s.corrections[i] = exponentiate(s, j + i, i * TILE);
                AttentionKernels.accumulate4(s.values, s.probabilities, 0, n, s.corrections, headDim, out, o);
            }
            for (; j < group; j++) {
                int qo = qBase + j * headDim, o = outBase + j * headDim;
                AttentionKernels.score(s.keys, q, qo, headDim, scale, n, s.probabilities, 0);
                if (masked > 0) Arrays.fill(s.probabilities, 0, masked, Float.NEGATIVE_INFINITY);
                float correction = exponentiate(s, j, 0);
                AttentionKernels.accumulate(s.values, s.probabilities, 0, n, correction, headDim, out, o);
            }
        }
        for (int j = 0; j < group; j++) {
            float total = 0;
            for (int i = 0; i < L; i++) total += s.sums[j * L + i];
            if (sinks != null) total += (float) StrictMath.exp(sinks[firstHead + j] - s.max[j]);
            float inverse = 1f / total;
            int o = outBase + j * headDim;
            for (int i = 0; i < headDim; i++) out[o + i] *= inverse;
        }
    }

    /**
     * Online softmax over the tile's scores at {@code s.probabilities[at ..]} for query head {@code j} of the group: raises the
     * running maximum if the tile exceeds it, replaces the scores by their exponentials relative to it and adds them
     * to the running sums. Returns the factor the output so far must be scaled by (1 unless the maximum grew).
     */
    private static float exponentiate(Scratch s, int j, int at) {
        float[] p = s.probabilities;
        FloatVector m = FloatVector.fromArray(AttentionKernels.F, p, at);
        for (int v = L; v < TILE; v += L) m = m.max(FloatVector.fromArray(AttentionKernels.F, p, at + v));
        float tileMax = m.reduceLanes(VectorOperators.MAX); // exact in any order
        float correction = 1f;
        if (tileMax > s.max[j]) {
            correction = (float) StrictMath.exp(s.max[j] - tileMax); // 0 for the first tile
            s.max[j] = tileMax;
        }
        AttentionKernels.exponentiate(p, at, TILE, s.max[j], s.sums, j * L, correction);
        return correction;
    }

    /** A thread's working memory: the current tile as floats, its probabilities, the softmax state per query head. */
    private static final class Scratch {
        float[] keys = new float[0], values = keys, max = keys, sums = keys;
        final float[] probabilities = new float[4 * TILE], corrections = new float[4];

        Scratch fit(int headDim, int group) {
            if (keys.length < TILE * headDim) {
                keys = new float[TILE * headDim];
                values = new float[TILE * headDim];
            }
            if (max.length < group) {
                max = new float[group];
                sums = new float[group * L];
            }
            return this;
        }
    }
}
