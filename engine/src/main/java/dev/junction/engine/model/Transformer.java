package dev.junction.engine.model;

import dev.junction.engine.kernel.MatMul;
import dev.junction.engine.kernel.Ops;
import dev.junction.engine.kernel.Parallel;

/**
 * The decoder forward pass shared by every architecture: RMSNorm → attention with RoPE and grouped KV heads →
 * residual → RMSNorm → feed-forward (SwiGLU, GELU or a mixture of experts) → residual, then the final norm and output
 * projection. The architecture's features add their pieces at their places: Q/K/V/O biases, per-head Q/K norms,
 * a scaled embedding, post-norms before the residual adds, sliding-window layers with their own RoPE base, attention
 * sinks; nothing else differs.
 *
 * <p>Every step runs a {@link Batch} of rows — a token of some sequence at some position — through the layers
 * together, so each weight matrix is read once per step whatever the batch: one row for token generation, a chunk of
 * the prompt for prompt processing, one row per sequence for batched decoding, or any mix of these for a server.
 * Per-token state lives in the caller's {@link Sequence}s, whose KV caches are block tables over a {@link KvPool};
 * scratch memory in the batch, allocated once, so a step allocates nothing.
 */
public final class Transformer {
    /** Prompt tokens processed per step: large enough to reuse weights from cache, small enough to bound memory. */
    public static final int PROMPT_CHUNK = 64;
    /**
     * The most rows whose logits one output projection computes: a step where every row wants them (a prompt being
     * scored) needs a buffer of this many vocabulary-sized rows, not one per row of the batch.
     */
    static final int LOGIT_ROWS = 32;

    private final ModelConfig config;
    private final Weights weights;
    private final Rope[] ropes; // the distinct RoPEs of the layers: [0] the global one, [1] the sliding-window one
    private final int[] ropeOf; // per layer, its index into ropes
    private final boolean exact;
    private Batch batchForDecode; // grown on demand

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
        boolean swaBase = config.window() > 0 && config.ropeBaseSwa() != config.ropeBase();
        this.ropes = swaBase
                ? new Rope[]{new Rope(config, weights.ropeFactors()), new Rope(config, config.ropeBaseSwa(), weights.ropeFactors())}
                : new Rope[]{new Rope(config, weights.ropeFactors())};
        this.ropeOf = new int[config.layers()];
        for (int l = 0; l < config.layers(); l++) ropeOf[l] = swaBase && config.window(l) > 0 ? 1 : 0;
        this.exact = exact;
    }

    public ModelConfig config() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    /** A new sequence able to hold {@code capacity} positions, with an F32 KV cache of its own. */
    public Sequence newSequence(int capacity) {
        return newSequence(capacity, KvCache.Type.F32);
    }

    /** A new sequence able to hold {@code capacity} positions, with a KV cache of its own of the given type. */
    public Sequence newSequence(int capacity, KvCache.Type cacheType) {
        return new Sequence(this, KvCache.fixed(config, capacity, cacheType, Math.min(PROMPT_CHUNK, capacity)));
    }

    /**
     * A new sequence over a shared pool, with an empty block table: it holds nothing until blocks are appended
     * ({@link Sequence#appendBlock}).
     */
    public Sequence newSequence(KvPool pool) {
        if (!pool.fits(config)) {
            throw new IllegalArgumentException("the KV pool was made for another model shape (layers, KV heads, head size)");
        }
        return new Sequence(this, KvCache.paged(pool));
    }

    /** Reusable scratch memory for steps of up to {@code maxRows} rows. */
    public Batch newBatch(int maxRows) {
        return new Batch(this, maxRows);
    }

    /**
     * Runs {@code token} at the sequence's next position, appends its keys and values to the cache and returns the
     * logits over the vocabulary (the sequence's own buffer: valid until the next call).
     */
    public float[] forward(Sequence s, int token, Parallel parallel) {
        Batch batch = s.stepBatch();
        batch.add(s, token, true);
        run(batch, parallel);
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
        Batch batch = s.promptBatch();
        for (int start = from; start < to; start += batch.maxRows) {
            int end = Math.min(to, start + batch.maxRows);
            try {
                for (int i = start; i < end; i++) batch.add(s, tokens[i], logitsOfLast && i == to - 1);
            } catch (RuntimeException e) {
                batch.clear();
                throw e;
            }
            run(batch, parallel);
        }
        return logitsOfLast ? s.logits : null;
    }

    /**
     * One decode step for several sequences at once: appends {@code tokens[i]} to {@code sequences[i]} and leaves
     * its logits in {@code sequences[i].logits()}. The weights are read once for the whole batch.
     */
    public synchronized void decodeBatch(Sequence[] sequences, int[] tokens, Parallel parallel) {
        if (batchForDecode == null || batchForDecode.maxRows < sequences.length) {
            batchForDecode = newBatch(sequences.length);
        }
        try {
            for (int i = 0; i < sequences.length; i++) batchForDecode.add(sequences[i], tokens[i], true);
        } catch (RuntimeException e) {
            batchForDecode.clear();
            throw e;
        }
        run(batchForDecode, parallel);
    }

    /**
     * One step: runs the rows added to {@code batch} — from any sequences of this transformer, e.g. a prompt chunk
     * of one and a decode row of each of several others — through the model together, so each weight matrix is read
     * once; appends every row's keys and values to its sequence's cache; leaves logits in the sequences of the rows
     * that asked for them. Then clears the batch (also when it fails).
     */
    public void run(Batch batch, Parallel parallel) {
        if (batch.transformer != this) throw new IllegalArgumentException("the batch belongs to another transformer");
        try {
            if (batch.rows > 0) step(batch, parallel);
        } finally {
            batch.clear();
        }
    }

    private void step(Batch ws, Parallel parallel) {
        ModelConfig c = config;
        Architecture.BlockFeatures block = c.architecture().block();
        int n = ws.rows, dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffnDim(), hd = c.headDim();
        int xbStride = ws.xbStride, pairs = ws.ropePairs;
        MatMul mm = ws.matmul;
        for (int i = 0; i < n; i++) {
            weights.tokenEmbedding().row(ws.tokens[i], ws.x, i * dim);
            if (block.scaledEmbedding()) Ops.scale(ws.x, i * dim, dim, (float) Math.sqrt(dim));
            for (int r = 0; r < ropes.length; r++) ropes[r].prepare(ws.positions[i], ws.cos[r], ws.sin[r], i * pairs);
        }
        for (int l = 0; l < c.layers(); l++) {
            Weights.Layer w = weights.layers().get(l);
            Rope rope = ropes[ropeOf[l]];
            float[] cos = ws.cos[ropeOf[l]], sin = ws.sin[ropeOf[l]];

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
                rope.rotate(ws.q, qo, c.heads(), hd, cos, sin, i * pairs);
                rope.rotate(ws.k, ko, c.kvHeads(), hd, cos, sin, i * pairs);
            }
            attend(ws, l, parallel);
            mm.multiply(w.wo(), ws.xb, xbStride, n, ws.xb2, 0, dim, parallel);
            for (int i = 0; i < n; i++) {
                if (w.bo() != null) Ops.add(ws.xb2, i * dim, w.bo());
                if (w.postAttnNorm() != null) Ops.rmsNorm(ws.xb2, i * dim, ws.xb2, i * dim, w.postAttnNorm(), dim, c.rmsEps());
            }
            Ops.add(ws.x, ws.xb2, n * dim);

            // feed-forward
            for (int i = 0; i < n; i++) Ops.rmsNorm(ws.xb, i * xbStride, ws.x, i * dim, w.ffnNorm(), dim, c.rmsEps());
            if (w.experts() != null) {
                ws.moe.run(w.experts(), ws.xb, xbStride, n, ws.xb2, mm, parallel);
            } else {
                mm.multiply(w.gate(), ws.xb, xbStride, n, ws.hb, 0, ffn, parallel);
                mm.multiply(w.up(), ws.xb, xbStride, n, ws.hb2, 0, ffn, parallel);
                if (c.architecture().feedForward() == Architecture.FeedForward.GELU) Ops.geglu(ws.hb, ws.hb2, n * ffn);
                else Ops.swiglu(ws.hb, ws.hb2, n * ffn);
                mm.multiply(w.down(), ws.hb, ffn, n, ws.xb2, 0, dim, parallel);
            }
            if (w.postFfnNorm() != null) {
                for (int i = 0; i < n; i++) Ops.rmsNorm(ws.xb2, i * dim, ws.xb2, i * dim, w.postFfnNorm(), dim, c.rmsEps());
            }
            Ops.add(ws.x, ws.xb2, n * dim);
        }
        for (int i = 0; i < n; i++) ws.sequences[i].length = Math.max(ws.sequences[i].length, ws.positions[i] + 1);

        // logits for the rows that want them, gathered so the output matrix is read once per LOGIT_ROWS of them
        int vocab = c.vocabSize();
        for (int from = 0; from < n; ) {
            int m = 0, to = from;
            for (; to < n && m < LOGIT_ROWS; to++) {
                if (ws.wantsLogits[to]) Ops.rmsNorm(ws.xb, m++ * dim, ws.x, to * dim, weights.outputNorm(), dim, c.rmsEps());
            }
            if (m > 0) {
                float[] logits = ws.logits(m);
                mm.multiply(weights.output(), ws.xb, dim, m, logits, 0, vocab, parallel);
                for (int i = from, j = 0; i < to; i++) {
                    if (!ws.wantsLogits[i]) continue;
                    Sequence s = ws.sequences[i];
                    System.arraycopy(logits, j * vocab, s.logits, 0, vocab);
                    if (ws.rowLogits != null) ws.rowLogits.accept(s, ws.positions[i], logits, j * vocab);
                    j++;
                }
            }
            from = to;
        }
    }

    /**
     * Stores each row's keys and values ({@code batch.k}, {@code batch.v}) for {@code layer} at its position, then
     * writes each row's attention output ({@code batch.q} against its sequence's cache) to {@code batch.xb}.
     */
    void attend(Batch batch, int layer, Parallel parallel) {
        int kvDim = config.kvDim();
        for (int i = 0; i < batch.rows; i++) {
            batch.sequences[i].cache.store(layer, batch.positions[i], batch.k, i * kvDim, batch.v, i * kvDim);
        }
        float[] sinks = layer < weights.layers().size() ? weights.layers().get(layer).sinks() : null;
        batch.attention.run(batch, layer, config.window(layer), sinks, batch.xbStride, parallel);
    }

    /** Receives the logits of each row of a step that asked for them, as the step computes them. */
    @FunctionalInterface
    public interface RowLogits {
        /**
         * {@code logits[offset, offset + vocabSize)} are the logits after {@code position} of {@code sequence}; valid
         * only during the call.
         */
        void accept(Sequence sequence, int position, float[] logits, int offset);
    }

    /**
     * One sequence's state: its KV cache (a block table over a pool), its logits and its length. Not thread-safe;
     * one sequence is advanced by one caller at a time, and is in at most one batch at a time.
     */
    public static final class Sequence {
        private final Transformer transformer;
        final KvCache cache;
        final float[] logits;
        int length;
        int queued; // rows added to a batch that has not run yet
        private Batch step, prompt;

        private Sequence(Transformer transformer, KvCache cache) {
            this.transformer = transformer;
            this.cache = cache;
            this.logits = new float[transformer.config.vocabSize()];
        }

        /** The logits of the last row of this sequence that asked for them. */
        public float[] logits() {
            return logits;
        }

        /** Positions filled so far. */
        public int length() {
            return length;
        }

        /**
         * Declares the first {@code length} positions filled: after mapping blocks that already hold a shared prefix,
         * or to forget positions from {@code length} on.
         */
        public void setLength(int length) {
            if (length < 0 || length > capacity()) {
                throw new IllegalArgumentException("length " + length + " outside 0.." + capacity());
            }
            cache.forgetFrom(length);
            this.length = length;
        }

        /** Positions the mapped blocks hold (for a sequence with a cache of its own: the capacity it was made with). */
        public int capacity() {
            return cache.capacity();
        }

        public KvCache cache() {
            return cache;
        }

        /**
         * Maps positions {@code [blockCount · blockSize, (blockCount + 1) · blockSize)} to block {@code blockId} of the
         * pool. The block may be shared with other sequences as long as no step writes a block that another reads.
         *
         * @throws IllegalStateException for a sequence with a cache of its own (made with a capacity), or over a pool
         *                               with a window group
         */
        public void appendBlock(int blockId) {
            cache.appendBlock(blockId);
        }

        /**
         * As {@link #appendBlock}, over a pool with a window group: the positions map to {@code blockId} in the
         * full-attention layers and to {@code windowBlockId} in the sliding-window layers, or to nothing there
         * ({@link KvCache#NO_BLOCK}) when no query of this sequence will see them again.
         */
        public void appendBlocks(int blockId, int windowBlockId) {
            cache.appendBlocks(blockId, windowBlockId);
        }

        /** Empties the block table and sets the length to 0. */
        public void clearBlocks() {
            cache.clearBlocks();
            length = 0;
        }

        public int blockCount() {
            return cache.blockCount();
        }

        /**
         * Forgets positions from {@code newLength} on (e.g. to reuse a shared prefix) and returns the positions kept:
         * {@code newLength}, or 0 when a sliding-window ring no longer holds the window before it.
         */
        public int truncate(int newLength) {
            if (newLength < 0 || newLength > length) throw new IllegalArgumentException("bad length " + newLength);
            length = cache.keepable(newLength);
            cache.forgetFrom(length);
            return length;
        }

        private Batch stepBatch() {
            if (step == null) step = transformer.newBatch(1);
            return step;
        }

        private Batch promptBatch() {
            if (prompt == null) {
                prompt = transformer.newBatch(cache.paged() ? PROMPT_CHUNK : Math.min(PROMPT_CHUNK, capacity()));
            }
            return prompt;
        }
    }

    /**
     * The rows of one step — a token of some sequence at its next position — and the scratch memory their
     * activations take, row-major. Allocated once and reused (the logits buffer grows to the most rows that ever
     * wanted logits in one step); one batch serves one step at a time.
     */
    public static final class Batch {
        final Transformer transformer;
        final int maxRows, ropePairs, xbStride;
        final Sequence[] sequences;
        final int[] tokens, positions;
        final boolean[] wantsLogits;
        final float[] x, xb, xb2, q, k, v, hb, hb2;
        final float[][] cos, sin; // per distinct RoPE of the transformer
        final MatMul matmul;
        final Attention attention;
        final MixtureOfExperts moe; // null for a dense model
        private float[] logits = new float[0];
        private RowLogits rowLogits;
        int rows;

        private Batch(Transformer transformer, int maxRows) {
            if (maxRows < 1) throw new IllegalArgumentException("a batch needs room for at least 1 row");
            ModelConfig c = transformer.config;
            this.transformer = transformer;
            this.maxRows = maxRows;
            this.matmul = new MatMul(transformer.exact);
            this.ropePairs = c.ropeDims() / 2;
            this.xbStride = Math.max(c.dim(), c.qDim());
            sequences = new Sequence[maxRows];
            tokens = new int[maxRows];
            positions = new int[maxRows];
            wantsLogits = new boolean[maxRows];
            x = new float[maxRows * c.dim()];
            xb = new float[maxRows * xbStride];
            xb2 = new float[maxRows * c.dim()];
            q = new float[maxRows * c.qDim()];
            k = new float[maxRows * c.kvDim()];
            v = new float[maxRows * c.kvDim()];
            boolean moe = c.architecture().feedForward().moe();
            hb = new float[moe ? 0 : maxRows * c.ffnDim()];
            hb2 = new float[moe ? 0 : maxRows * c.ffnDim()];
            cos = new float[transformer.ropes.length][maxRows * ropePairs];
            sin = new float[transformer.ropes.length][maxRows * ropePairs];
            attention = new Attention(c);
            this.moe = moe ? new MixtureOfExperts(c, maxRows) : null;
        }

        /**
         * Adds {@code token} at the next position of {@code s}, counting rows already added for it in this batch.
         * Leaves the batch unchanged when it throws.
         *
         * @throws IllegalStateException when the batch is full, or {@code s} has no room for another position
         * @throws IllegalArgumentException for a token outside the vocabulary or a sequence of another transformer
         */
        public void add(Sequence s, int token, boolean wantLogits) {
            if (s.transformer != transformer) {
                throw new IllegalArgumentException("the sequence belongs to another transformer");
            }
            if (rows == maxRows) throw new IllegalStateException("the batch holds " + maxRows + " rows");
            if (token < 0 || token >= s.logits.length) {
                throw new IllegalArgumentException("token id " + token + " outside the vocabulary of " + s.logits.length);
            }
            int pos = s.length + s.queued;
            if (pos >= s.capacity()) {
                throw new IllegalStateException("sequence is full: " + (pos + 1) + " positions (context " + s.capacity()
                        + (s.cache.paged() ? ", " + s.blockCount() + " blocks mapped" : "") + ")");
            }
            if (s.queued == s.cache.maxRowsPerStep()) {
                throw new IllegalStateException("a sequence whose sliding-window layers keep a ring of blocks computes at most "
                        + s.cache.maxRowsPerStep() + " positions per step");
            }
            sequences[rows] = s;
            tokens[rows] = token;
            positions[rows] = pos;
            wantsLogits[rows] = wantLogits;
            s.queued++;
            rows++;
        }

        /**
         * Also hands every row's logits to {@code listener} (null: none), e.g. to score each position of a prompt;
         * the sequence's {@link Sequence#logits()} still end with those of its last row that asked.
         */
        public void onRowLogits(RowLogits listener) {
            this.rowLogits = listener;
        }

        /** Rows added since the last step. */
        public int rows() {
            return rows;
        }

        public int maxRows() {
            return maxRows;
        }

        /** Removes the rows added. */
        public void clear() {
            for (int i = 0; i < rows; i++) {
                sequences[i].queued = 0;
                sequences[i] = null;
            }
            rows = 0;
        }

        /** Room for {@code rows} (at most {@link #LOGIT_ROWS}) rows of logits. */
        float[] logits(int rows) {
            int needed = rows * transformer.config.vocabSize();
            if (logits.length < needed) logits = new float[needed];
            return logits;
        }
    }
}
