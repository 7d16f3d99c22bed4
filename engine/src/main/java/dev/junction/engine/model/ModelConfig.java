package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufMetadata;
import dev.junction.engine.gguf.ModelFormatException;

import java.nio.file.Path;

/**
 * Hyper-parameters of a Llama-family model, read from GGUF metadata ({@code <arch>.embedding_length} and so on).
 *
 * @param contextLength the model's trained maximum context ({@code <arch>.context_length})
 * @param headDim       per-head size of Q and K ({@code attention.key_length}, else {@code dim / heads})
 * @param ropeDims      leading elements of each head that RoPE rotates ({@code rope.dimension_count}, else headDim)
 * @param ropeScale     multiplier applied to positions (1 / linear scaling factor)
 * @param experts       the mixture-of-experts shape, or null for a dense FFN
 * @param window        positions a sliding-window layer attends to (its own and the {@code window - 1} before), or 0
 * @param ropeBaseSwa   RoPE base of the sliding-window layers ({@code rope.freq_base_swa}, else {@code ropeBase})
 * @param yarn          YaRN RoPE scaling, or null
 */
public record ModelConfig(Architecture architecture, int dim, int layers, int heads, int kvHeads, int headDim,
                          int ffnDim, int vocabSize, int contextLength, float rmsEps, float ropeBase, int ropeDims,
                          float ropeScale, RopeScaling ropeScaling, Experts experts, int window, float ropeBaseSwa,
                          Yarn yarn) {

    /** Llama 3's frequency-dependent RoPE scaling, given by metadata keys rather than a {@code rope_freqs} tensor. */
    public record RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {}

    /** {@code count} experts of FFN width {@code ffnDim}, {@code used} of them per token. */
    public record Experts(int count, int used, int ffnDim) {}

    /** YaRN as llama.cpp applies it: {@code rope.scaling.factor}, original context and the two betas. */
    public record Yarn(float factor, int originalContext, float betaFast, float betaSlow) {}

    /** A dense model with no sliding window or YaRN (tests and synthetic models). */
    public ModelConfig(Architecture architecture, int dim, int layers, int heads, int kvHeads, int headDim,
                       int ffnDim, int vocabSize, int contextLength, float rmsEps, float ropeBase, int ropeDims,
                       float ropeScale, RopeScaling ropeScaling) {
        this(architecture, dim, layers, heads, kvHeads, headDim, ffnDim, vocabSize, contextLength, rmsEps, ropeBase,
                ropeDims, ropeScale, ropeScaling, null, 0, ropeBase, null);
    }

    /** The sliding window of {@code layer} in positions, or 0 when it attends to the whole context. */
    public int window(int layer) {
        return window > 0 && architecture.slidingWindow(layer) ? window : 0;
    }

    /**
     * The factor on every attention score: {@code 1 / sqrt(headDim)}, except for Gemma 3 27B (62 blocks, how
     * llama.cpp recognises it), whose checkpoint scales queries by {@code 1 / sqrt(dim / heads)} instead.
     */
    public float attentionScale() {
        boolean gemma27b = architecture == Architecture.GEMMA3 && layers == 62;
        return (float) (1.0 / Math.sqrt(gemma27b ? (double) (dim / heads) : headDim));
    }

    /** The RoPE base of {@code layer}. */
    public float ropeBase(int layer) {
        return window(layer) > 0 ? ropeBaseSwa : ropeBase;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Bytes of KV cache one decode step reads per position already in the context (F32 cache). */
    public long kvBytesPerPosition() {
        return 2L * layers * kvDim() * Float.BYTES;
    }

    public int qDim() {
        return heads * headDim;
    }

    public static ModelConfig read(Path file, GgufMetadata meta, Architecture arch, int vocabSize) {
        String p = arch.name() + ".";
        int dim = meta.requireInt(p + "embedding_length");
        int layers = meta.requireInt(p + "block_count");
        int heads = meta.requireInt(p + "attention.head_count");
        int kvHeads = meta.getInt(p + "attention.head_count_kv", heads);
        int headDim = meta.getInt(p + "attention.key_length", heads > 0 ? dim / Math.max(heads, 1) : 0);
        int ffn = meta.requireInt(p + "feed_forward_length");
        int ctx = meta.getInt(p + "context_length", 2048);
        float eps = meta.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f);
        float base = meta.getFloat(p + "rope.freq_base", 10000f);
        int ropeDims = meta.getInt(p + "rope.dimension_count", headDim);
        int vocab = meta.getInt(p + "vocab_size", vocabSize);

        check(file, dim > 0 && layers > 0 && heads > 0 && kvHeads > 0 && ffn > 0 && ctx > 0 && vocab > 0,
                "non-positive hyper-parameter (embedding " + dim + ", blocks " + layers + ", heads " + heads
                        + ", kv heads " + kvHeads + ", ffn " + ffn + ", context " + ctx + ", vocab " + vocab + ")");
        check(file, heads % kvHeads == 0, "head_count " + heads + " is not a multiple of head_count_kv " + kvHeads);
        check(file, headDim > 0 && headDim % 2 == 0, "head size " + headDim + " must be positive and even");
        check(file, ropeDims > 0 && ropeDims <= headDim && ropeDims % 2 == 0,
                "rope.dimension_count " + ropeDims + " must be even and at most the head size " + headDim);

        Experts experts = null;
        if (arch.feedForward().moe()) {
            experts = new Experts(meta.requireInt(p + "expert_count"), meta.requireInt(p + "expert_used_count"),
                    meta.requireInt(p + "expert_feed_forward_length"));
            check(file, experts.count() > 0 && experts.used() > 0 && experts.used() <= experts.count()
                    && experts.ffnDim() > 0, "bad expert shape " + experts);
        }
        int window = arch.attention().windowPattern() > 0 ? meta.getInt(p + "attention.sliding_window", 0) : 0;
        check(file, window >= 0, "negative sliding window " + window);
        float baseSwa = meta.getFloat(p + "rope.freq_base_swa", base);

        float ropeScale = 1f;
        RopeScaling scaling = null;
        Yarn yarn = null;
        String type = meta.getString(p + "rope.scaling.type").orElse("none");
        float factor = meta.getFloat(p + "rope.scaling.factor", 1f);
        switch (type) {
            case "none" -> { }
            case "linear" -> ropeScale = factor > 0 ? 1f / factor : 1f;
            case "llama3" -> scaling = new RopeScaling(factor,
                    meta.getFloat(p + "rope.scaling.low_freq_factor", 1f),
                    meta.getFloat(p + "rope.scaling.high_freq_factor", 4f),
                    meta.getInt(p + "rope.scaling.original_context_length", 8192));
            case "yarn" -> yarn = new Yarn(factor, meta.getInt(p + "rope.scaling.original_context_length", ctx),
                    meta.getFloat(p + "rope.scaling.yarn_beta_fast", 32f),
                    meta.getFloat(p + "rope.scaling.yarn_beta_slow", 1f));
            default -> throw new ModelFormatException(file, "unsupported rope scaling type " + type);
        }
        return new ModelConfig(arch, dim, layers, heads, kvHeads, headDim, ffn, vocab, ctx, eps, base, ropeDims,
                ropeScale, scaling, experts, window, baseSwa, yarn);
    }

    private static void check(Path file, boolean ok, String problem) {
        if (!ok) throw new ModelFormatException(file, problem);
    }
}
