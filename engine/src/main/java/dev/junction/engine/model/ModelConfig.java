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
 */
public record ModelConfig(Architecture architecture, int dim, int layers, int heads, int kvHeads, int headDim,
                          int ffnDim, int vocabSize, int contextLength, float rmsEps, float ropeBase, int ropeDims,
                          float ropeScale, RopeScaling ropeScaling) {

    /** Llama 3's frequency-dependent RoPE scaling, given by metadata keys rather than a {@code rope_freqs} tensor. */
    public record RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {}

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

        float ropeScale = 1f;
        RopeScaling scaling = null;
        String type = meta.getString(p + "rope.scaling.type").orElse("none");
        float factor = meta.getFloat(p + "rope.scaling.factor", 1f);
        switch (type) {
            case "none" -> { }
            case "linear" -> ropeScale = factor > 0 ? 1f / factor : 1f;
            case "llama3" -> scaling = new RopeScaling(factor,
                    meta.getFloat(p + "rope.scaling.low_freq_factor", 1f),
                    meta.getFloat(p + "rope.scaling.high_freq_factor", 4f),
                    meta.getInt(p + "rope.scaling.original_context_length", 8192));
            default -> throw new ModelFormatException(file, "unsupported rope scaling type " + type);
        }
        return new ModelConfig(arch, dim, layers, heads, kvHeads, headDim, ffn, vocab, ctx, eps, base, ropeDims,
                ropeScale, scaling);
    }

    private static void check(Path file, boolean ok, String problem) {
        if (!ok) throw new ModelFormatException(file, problem);
    }
}
