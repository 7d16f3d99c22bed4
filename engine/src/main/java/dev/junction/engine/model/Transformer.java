package dev.junction.engine.model;

import dev.junction.engine.kernel.Ops;
import dev.junction.engine.kernel.Parallel;

/**
 * The decoder forward pass shared by every Llama-family architecture: RMSNorm → attention with RoPE and grouped
 * KV heads → residual → RMSNorm → SwiGLU feed-forward → residual, then the final norm and output projection. The
 * architecture's switches add Q/K/V biases or per-head Q/K norms at their places; nothing else differs.
 *
 * <p>Stateless apart from the weights: everything that changes per token lives in the caller's {@link Sequence}.
 */
public final class Transformer {
    private final ModelConfig config;
    private final Weights weights;
    private final Rope rope;

    public Transformer(ModelConfig config, Weights weights) {
        this.config = config;
        this.weights = weights;
        this.rope = new Rope(config, weights.ropeFactors());
    }

    public ModelConfig config() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    /** A new sequence able to hold {@code capacity} positions. */
    public Sequence newSequence(int capacity) {
        return new Sequence(config, capacity);
    }

    /**
     * Runs {@code token} at the sequence's next position, appends its keys and values to the cache and returns the
     * logits over the vocabulary (the sequence's own buffer: valid until the next call).
     */
    public float[] forward(Sequence s, int token, Parallel parallel) {
        forwardHidden(s, token, parallel);
        Ops.rmsNorm(s.x, 0, s.x, 0, weights.outputNorm(), config.dim(), config.rmsEps());
        weights.output().multiply(s.x, s.logits, parallel);
        return s.logits;
    }

    /**
     * Prompt processing: runs {@code tokens[from, to)} at the sequence's next positions. Returns the logits of the
     * last token when {@code logitsOfLast}, else null. Long prompts are processed in chunks, so memory does not grow
     * with the prompt.
     */
    public float[] forwardBatch(Sequence s, int[] tokens, int from, int to, boolean logitsOfLast, Parallel parallel) {
        if (from >= to) throw new IllegalArgumentException("empty batch");
        for (int i = from; i < to - 1; i++) ingest(s, tokens[i], parallel);
        if (logitsOfLast) return forward(s, tokens[to - 1], parallel);
        ingest(s, tokens[to - 1], parallel);
        return null;
    }

    /**
     * One decode step for several sequences at once: appends {@code tokens[i]} to {@code sequences[i]} and leaves
     * its logits in {@code sequences[i].logits()}. The weights are read once for the whole batch.
     */
    public void decodeBatch(Sequence[] sequences, int[] tokens, Parallel parallel) {
        for (int i = 0; i < sequences.length; i++) forward(sequences[i], tokens[i], parallel);
    }

    /** Like {@link #forward} but skips the output projection: for prompt tokens whose logits nobody reads. */
    public void ingest(Sequence s, int token, Parallel parallel) {
        forwardHidden(s, token, parallel);
    }

    private void forwardHidden(Sequence s, int token, Parallel parallel) {
        ModelConfig c = config;
        int pos = s.length;
        if (pos >= s.cache.capacity()) {
            throw new IllegalStateException("sequence is full: " + pos + " positions (context " + s.cache.capacity() + ")");
        }
        if (token < 0 || token >= c.vocabSize()) {
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + c.vocabSize());
        }
        int dim = c.dim(), headDim = c.headDim(), kvDim = c.kvDim();
        int groupSize = c.heads() / c.kvHeads();
        float attnScale = (float) (1.0 / Math.sqrt(headDim));

        weights.tokenEmbedding().row(token, s.x, 0);
        rope.prepare(pos, s.cos, s.sin);

        for (int l = 0; l < c.layers(); l++) {
            Weights.Layer w = weights.layers().get(l);
            float[] keys = s.cache.keys[l], values = s.cache.values[l];

            // attention
            Ops.rmsNorm(s.xb, 0, s.x, 0, w.attnNorm(), dim, c.rmsEps());
            w.wq().multiply(s.xb, s.q, parallel);
            w.wk().multiply(s.xb, 0, keys, pos * kvDim, parallel);
            w.wv().multiply(s.xb, 0, values, pos * kvDim, parallel);
            if (w.bq() != null) {
                Ops.add(s.q, 0, w.bq());
                Ops.add(keys, pos * kvDim, w.bk());
                Ops.add(values, pos * kvDim, w.bv());
            }
            if (w.qNorm() != null) {
                for (int h = 0; h < c.heads(); h++) {
                    Ops.rmsNorm(s.q, h * headDim, s.q, h * headDim, w.qNorm(), headDim, c.rmsEps());
                }
                for (int h = 0; h < c.kvHeads(); h++) {
                    Ops.rmsNorm(keys, pos * kvDim + h * headDim, keys, pos * kvDim + h * headDim, w.kNorm(), headDim, c.rmsEps());
                }
            }
            rope.rotate(s.q, 0, c.heads(), headDim, s.cos, s.sin);
            rope.rotate(keys, pos * kvDim, c.kvHeads(), headDim, s.cos, s.sin);

            int positions = pos + 1;
            parallel.forRange(c.heads(), 1, (from, to) -> {
                for (int h = from; h < to; h++) {
                    int kvOffset = (h / groupSize) * headDim;
                    int att = h * s.cache.capacity();
                    for (int t = 0; t < positions; t++) {
                        s.att[att + t] = Ops.dot(s.q, h * headDim, keys, t * kvDim + kvOffset, headDim) * attnScale;
                    }
                    Ops.softmax(s.att, att, positions);
                    java.util.Arrays.fill(s.xb, h * headDim, (h + 1) * headDim, 0f);
                    for (int t = 0; t < positions; t++) {
                        Ops.axpy(s.att[att + t], values, t * kvDim + kvOffset, s.xb, h * headDim, headDim);
                    }
                }
            });
            w.wo().multiply(s.xb, s.xb2, parallel);
            Ops.add(s.x, s.xb2, dim);

            // feed-forward
            Ops.rmsNorm(s.xb, 0, s.x, 0, w.ffnNorm(), dim, c.rmsEps());
            w.gate().multiply(s.xb, s.hb, parallel);
            w.up().multiply(s.xb, s.hb2, parallel);
            Ops.swiglu(s.hb, s.hb2, c.ffnDim());
            w.down().multiply(s.hb, s.xb2, parallel);
            Ops.add(s.x, s.xb2, dim);
        }
        s.length = pos + 1;
    }

    /**
     * One sequence's state: its KV cache and the scratch buffers of a step, allocated once so that generating a
     * token allocates nothing. Not thread-safe; one sequence is advanced by one caller at a time.
     */
    public static final class Sequence {
        final KvCache cache;
        final float[] x, xb, xb2, q, hb, hb2, att, logits, cos, sin;
        int length;

        Sequence(ModelConfig c, int capacity) {
            cache = new KvCache(c, capacity);
            x = new float[c.dim()];
            xb = new float[Math.max(c.dim(), c.qDim())];
            xb2 = new float[c.dim()];
            q = new float[c.qDim()];
            hb = new float[c.ffnDim()];
            hb2 = new float[c.ffnDim()];
            att = new float[c.heads() * capacity];
            logits = new float[c.vocabSize()];
            cos = new float[c.ropeDims() / 2];
            sin = new float[c.ropeDims() / 2];
        }

        /** The logits of the last {@link #forward} or {@link #decodeBatch} step. */
        public float[] logits() {
            return logits;
        }

        /** Positions filled so far. */
        public int length() {
            return length;
        }

        public int capacity() {
            return cache.capacity();
        }

        /** Forgets positions from {@code newLength} on (e.g. to reuse a shared prefix). */
        public void truncate(int newLength) {
            if (newLength < 0 || newLength > length) throw new IllegalArgumentException("bad length " + newLength);
            length = newLength;
        }
    }
}
