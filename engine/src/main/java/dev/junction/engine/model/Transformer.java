package dev.junction.engine.model;

import dev.junction.engine.kernel.MatMul;
import dev.junction.engine.kernel.Ops;
import dev.junction.engine.kernel.Parallel;

/**
 * The decoder forward pass shared by every Llama-family architecture: RMSNorm → attention with RoPE and grouped
 * KV heads → residual → RMSNorm → SwiGLU feed-forward → residual, then the final norm and output projection. The
 * architecture's switches add Q/K/V biases or per-head Q/K norms at their places; nothing else differs.
 *
 * <p>Every step runs a batch of rows — a token of some sequence at some position — through the layers together, so
 * each weight matrix is read once per step whatever the batch: one row for token generation, a chunk of the prompt
 * for prompt processing, one row per sequence for batched decoding. Per-token state lives in the caller's
 * {@link Sequence}s; scratch memory in a {@link Workspace}, allocated once, so a step allocates nothing.
 */
public final class Transformer {
    /** Prompt tokens processed per step: large enough to reuse weights from cache, small enough to bound memory. */
    public static final int PROMPT_CHUNK = 64;

    private final ModelConfig config;
    private final Weights weights;
    private final Rope rope;
    private final boolean exact;
    private Workspace batchWorkspace; // for decodeBatch, grown on demand

    /** A transformer computing like llama.cpp: quantized weights meet 8-bit quantized activations. */
    public Transformer(ModelConfig config, Weights weights) {
        this(config, weights, false);
    }

    /**
     * With {@code exact}, activations stay float in every product (slower; what tests compare with plain float
     * references).
     */
    public Transformer(ModelConfig config, Weights weights, boolean exact) {
        this.config = config;
        this.weights = weights;
        this.rope = new Rope(config, weights.ropeFactors());
        this.exact = exact;
    }

    public ModelConfig config() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    /** A new sequence able to hold {@code capacity} positions, with an F32 KV cache. */
    public Sequence newSequence(int capacity) {
        return newSequence(capacity, KvCache.Type.F32);
    }

    /** A new sequence able to hold {@code capacity} positions, with a KV cache of the given type. */
    public Sequence newSequence(int capacity, KvCache.Type cacheType) {
        return new Sequence(config, exact, capacity, cacheType);
    }

    /** Scratch memory for steps of up to {@code rows} rows, of which up to {@code logitRows} want logits. */
    public Workspace newWorkspace(int rows, int logitRows) {
        return new Workspace(config, rows, logitRows, exact);
    }

    /**
     * Runs {@code token} at the sequence's next position, appends its keys and values to the cache and returns the
     * logits over the vocabulary (the sequence's own buffer: valid until the next call).
     */
    public float[] forward(Sequence s, int token, Parallel parallel) {
        Workspace ws = s.stepWorkspace();
        ws.add(s, token, true);
        step(ws, parallel);
        return s.logits;
    }

    /**
     * Prompt processing: runs {@code tokens[from, to)} at the sequence's next positions, {@link #PROMPT_CHUNK}
     * tokens per step. Returns the logits of the last token when {@code logitsOfLast}, else null.
     */
    public float[] forwardBatch(Sequence s, int[] tokens, int from, int to, boolean logitsOfLast, Parallel parallel) {
        if (from >= to) throw new IllegalArgumentException("empty batch");
        if (s.length + (to - from) > s.capacity()) {
            throw new IllegalStateException("sequence is full: " + (s.length + to - from) + " positions (context "
                    + s.capacity() + ")");
        }
        Workspace ws = s.promptWorkspace();
        for (int start = from; start < to; start += ws.maxRows) {
            int end = Math.min(to, start + ws.maxRows);
            for (int i = start; i < end; i++) ws.add(s, tokens[i], logitsOfLast && i == to - 1);
            step(ws, parallel);
        }
        return logitsOfLast ? s.logits : null;
    }

    /**
     * One decode step for several sequences at once: appends {@code tokens[i]} to {@code sequences[i]} and leaves
     * its logits in {@code sequences[i].logits()}. The weights are read once for the whole batch.
     */
    public synchronized void decodeBatch(Sequence[] sequences, int[] tokens, Parallel parallel) {
        if (batchWorkspace == null || batchWorkspace.maxRows < sequences.length) {
            batchWorkspace = newWorkspace(sequences.length, sequences.length);
        }
        for (int i = 0; i < sequences.length; i++) batchWorkspace.add(sequences[i], tokens[i], true);
        step(batchWorkspace, parallel);
    }

    /** Runs the rows added to {@code ws} through the model, then clears it. */
    private void step(Workspace ws, Parallel parallel) {
        ModelConfig c = config;
        int n = ws.rows, dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffnDim(), hd = c.headDim();
        int xbStride = Math.max(dim, qDim);
        MatMul mm = ws.matmul;
        for (int i = 0; i < n; i++) {
            weights.tokenEmbedding().row(ws.tokens[i], ws.x, i * dim);
            rope.prepare(ws.positions[i], ws.cos, ws.sin, i * ws.ropePairs);
        }
        for (int l = 0; l < c.layers(); l++) {
            Weights.Layer w = weights.layers().get(l);

            // attention: project, position-encode, store K/V, attend
            for (int i = 0; i < n; i++) Ops.rmsNorm(ws.xb, i * xbStride, ws.x, i * dim, w.attnNorm(), dim, c.rmsEps());
            mm.multiply(w.wq(), ws.xb, xbStride, n, ws.q, 0, qDim, parallel);
            mm.multiply(w.wk(), ws.xb, xbStride, n, ws.k, 0, kvDim, parallel);
            mm.multiply(w.wv(), ws.xb, xbStride, n, ws.v, 0, kvDim, parallel);
            for (int i = 0; i < n; i++) {
                int qo = i * qDim, ko = i * kvDim;
                if (w.bq() != null) {
                    Ops.add(ws.q, qo, w.bq());
                    Ops.add(ws.k, ko, w.bk());
                    Ops.add(ws.v, ko, w.bv());
                }
                if (w.qNorm() != null) {
                    for (int h = 0; h < c.heads(); h++) Ops.rmsNorm(ws.q, qo + h * hd, ws.q, qo + h * hd, w.qNorm(), hd, c.rmsEps());
                    for (int h = 0; h < c.kvHeads(); h++) Ops.rmsNorm(ws.k, ko + h * hd, ws.k, ko + h * hd, w.kNorm(), hd, c.rmsEps());
                }
                rope.rotate(ws.q, qo, c.heads(), hd, ws.cos, ws.sin, i * ws.ropePairs);
                rope.rotate(ws.k, ko, c.kvHeads(), hd, ws.cos, ws.sin, i * ws.ropePairs);
                ws.sequences[i].cache.store(l, ws.positions[i], ws.k, ko, ws.v, ko);
            }
            ws.attention.run(ws, l, xbStride, parallel);
            mm.multiply(w.wo(), ws.xb, xbStride, n, ws.xb2, 0, dim, parallel);
            Ops.add(ws.x, ws.xb2, n * dim);

            // feed-forward
            for (int i = 0; i < n; i++) Ops.rmsNorm(ws.xb, i * xbStride, ws.x, i * dim, w.ffnNorm(), dim, c.rmsEps());
            mm.multiply(w.gate(), ws.xb, xbStride, n, ws.hb, 0, ffn, parallel);
            mm.multiply(w.up(), ws.xb, xbStride, n, ws.hb2, 0, ffn, parallel);
            Ops.swiglu(ws.hb, ws.hb2, n * ffn);
            mm.multiply(w.down(), ws.hb, ffn, n, ws.xb2, 0, dim, parallel);
            Ops.add(ws.x, ws.xb2, n * dim);
        }
        for (int i = 0; i < n; i++) ws.sequences[i].length = Math.max(ws.sequences[i].length, ws.positions[i] + 1);

        // logits for the rows that want them, gathered so the output matrix is read once
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (ws.wantsLogits[i]) Ops.rmsNorm(ws.xb, m++ * dim, ws.x, i * dim, weights.outputNorm(), dim, c.rmsEps());
        }
        if (m > 0) {
            int vocab = c.vocabSize();
            mm.multiply(weights.output(), ws.xb, dim, m, ws.logits, 0, vocab, parallel);
            for (int i = 0, j = 0; i < n; i++) {
                if (ws.wantsLogits[i]) System.arraycopy(ws.logits, j++ * vocab, ws.sequences[i].logits, 0, vocab);
            }
        }
        ws.clear();
    }

    /**
     * One sequence's state: its KV cache, its logits and its position. Not thread-safe; one sequence is advanced by
     * one caller at a time.
     */
    public static final class Sequence {
        private final ModelConfig config;
        private final boolean exact;
        final KvCache cache;
        final float[] logits;
        int length;
        private Workspace step, prompt;

        Sequence(ModelConfig config, boolean exact, int capacity, KvCache.Type cacheType) {
            this.config = config;
            this.exact = exact;
            this.cache = new KvCache(config, capacity, cacheType);
            this.logits = new float[config.vocabSize()];
        }

        /** The logits of the last step that asked for them. */
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

        public KvCache cache() {
            return cache;
        }

        /** Forgets positions from {@code newLength} on (e.g. to reuse a shared prefix). */
        public void truncate(int newLength) {
            if (newLength < 0 || newLength > length) throw new IllegalArgumentException("bad length " + newLength);
            length = newLength;
        }

        private Workspace stepWorkspace() {
            if (step == null) step = new Workspace(config, 1, 1, exact);
            return step;
        }

        private Workspace promptWorkspace() {
            if (prompt == null) prompt = new Workspace(config, Math.min(PROMPT_CHUNK, capacity()), 1, exact);
            return prompt;
        }
    }

    /**
     * Scratch memory of a step: the rows being run (sequence, position, token) and their activations, row-major.
     * Allocated once and reused; one workspace serves one step at a time.
     */
    public static final class Workspace {
        final int maxRows, ropePairs;
        final Sequence[] sequences;
        final int[] tokens, positions;
        final boolean[] wantsLogits;
        final float[] x, xb, xb2, q, k, v, hb, hb2, cos, sin, logits;
        final MatMul matmul;
        final Attention attention;
        int rows;

        Workspace(ModelConfig c, int maxRows, int logitRows, boolean exact) {
            this.maxRows = maxRows;
            this.matmul = new MatMul(exact);
            this.ropePairs = c.ropeDims() / 2;
            sequences = new Sequence[maxRows];
            tokens = new int[maxRows];
            positions = new int[maxRows];
            wantsLogits = new boolean[maxRows];
            x = new float[maxRows * c.dim()];
            xb = new float[maxRows * Math.max(c.dim(), c.qDim())];
            xb2 = new float[maxRows * c.dim()];
            q = new float[maxRows * c.qDim()];
            k = new float[maxRows * c.kvDim()];
            v = new float[maxRows * c.kvDim()];
            hb = new float[maxRows * c.ffnDim()];
            hb2 = new float[maxRows * c.ffnDim()];
            cos = new float[maxRows * ropePairs];
            sin = new float[maxRows * ropePairs];
            logits = new float[Math.max(1, logitRows) * c.vocabSize()];
            attention = new Attention(c, maxRows);
        }

        /** Queues {@code token} at the next free position of {@code s} (counting rows already queued for it). */
        void add(Sequence s, int token, boolean wantLogits) {
            if (rows == maxRows) throw new IllegalStateException("workspace holds " + maxRows + " rows");
            if (token < 0 || token >= s.logits.length) {
                throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + s.logits.length);
            }
            int pos = s.length;
            for (int i = 0; i < rows; i++) if (sequences[i] == s) pos = Math.max(pos, positions[i] + 1);
            if (pos >= s.capacity()) {
                clear();
                throw new IllegalStateException("sequence is full: " + pos + " positions (context " + s.capacity() + ")");
            }
            sequences[rows] = s;
            tokens[rows] = token;
            positions[rows] = pos;
            wantsLogits[rows] = wantLogits;
            rows++;
        }

        void clear() {
            java.util.Arrays.fill(sequences, 0, rows, null);
            rows = 0;
        }
    }
}
