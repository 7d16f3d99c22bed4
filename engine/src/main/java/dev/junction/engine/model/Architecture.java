package dev.junction.engine.model;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A model family as the engine knows it. The decoder families differ by a few named features — how RoPE pairs
 * elements, what the attention adds around the plain scaled dot product ({@link AttentionFeatures}), how a block is
 * normalised ({@link BlockFeatures}) and which feed-forward it runs ({@link FeedForward}) — so an architecture is
 * those features; hyper-parameters come from metadata ({@link ModelConfig}), the tensors it needs from
 * {@link TensorManifest}, and one forward pass ({@link Transformer}) serves them all.
 *
 * @param name      the {@code general.architecture} value, also the prefix of its metadata keys
 * @param ropeStyle how RoPE pairs elements
 */
public record Architecture(String name, RopeStyle ropeStyle, AttentionFeatures attention, BlockFeatures block,
                           FeedForward feedForward) {

    /**
     * @param qkvBias        Q, K and V projections have bias vectors
     * @param outputBias     the attention output projection has a bias vector
     * @param qkNorm         Q and K are RMS-normalised per head before RoPE
     * @param sinks          one extra softmax logit per query head with no value ({@code attn_sinks})
     * @param windowPattern  0: every layer attends to the whole context; n: layer {@code l} is sliding-window iff
     *                       {@code l % n < n - 1} (llama.cpp's default for the family, no key states it)
     */
    public record AttentionFeatures(boolean qkvBias, boolean outputBias, boolean qkNorm, boolean sinks,
                                    int windowPattern) {
        static final AttentionFeatures PLAIN = new AttentionFeatures(false, false, false, false, 0);
    }

    /**
     * @param scaledEmbedding the token embedding is multiplied by {@code sqrt(dim)} (Gemma)
     * @param postNorms       attention and FFN outputs are RMS-normalised before their residual adds (Gemma)
     * @param ffnNormTensor   the name of the pre-FFN norm's tensor in a block
     */
    public record BlockFeatures(boolean scaledEmbedding, boolean postNorms, String ffnNormTensor) {
        static final BlockFeatures PLAIN = new BlockFeatures(false, false, "ffn_norm");
    }

    /** The feed-forward network of every block. */
    public enum FeedForward {
        /** down(silu(gate x) · up x). */
        SWIGLU,
        /** down(gelu_tanh(gate x) · up x) (Gemma). */
        GELU,
        /** Mixture of experts: softmax over the top-k router logits, SwiGLU experts (Qwen3-MoE). */
        MOE_SWIGLU,
        /** Mixture of experts with router and expert biases and the clamped SwiGLU (gpt-oss). */
        MOE_CLAMPED_SWIGLU;

        public boolean moe() {
            return this == MOE_SWIGLU || this == MOE_CLAMPED_SWIGLU;
        }
    }

    private static final Map<String, Architecture> REGISTRY = new TreeMap<>();

    /** Llama 1/2/3.x, Mistral, TinyLlama and other {@code llama}-tagged files. */
    public static final Architecture LLAMA = register(new Architecture("llama", RopeStyle.NORMAL,
            AttentionFeatures.PLAIN, BlockFeatures.PLAIN, FeedForward.SWIGLU));
    /** Qwen 2 and 2.5: biases on Q/K/V, NeoX RoPE. */
    public static final Architecture QWEN2 = register(new Architecture("qwen2", RopeStyle.NEOX,
            new AttentionFeatures(true, false, false, false, 0), BlockFeatures.PLAIN, FeedForward.SWIGLU));
    /** Qwen 3 (dense): per-head RMS norm on Q and K, NeoX RoPE, no biases. */
    public static final Architecture QWEN3 = register(new Architecture("qwen3", RopeStyle.NEOX,
            new AttentionFeatures(false, false, true, false, 0), BlockFeatures.PLAIN, FeedForward.SWIGLU));
    /** Qwen 3 MoE: Qwen 3 attention, every layer a mixture of experts. */
    public static final Architecture QWEN3MOE = register(new Architecture("qwen3moe", RopeStyle.NEOX,
            new AttentionFeatures(false, false, true, false, 0), BlockFeatures.PLAIN, FeedForward.MOE_SWIGLU));
    /**
     * Gemma 3 (text): scaled embedding, pre- and post-norms, per-head Q/K norms, GELU FFN, five sliding-window layers
     * to one global.
     */
    public static final Architecture GEMMA3 = register(new Architecture("gemma3", RopeStyle.NEOX,
            new AttentionFeatures(false, false, true, false, 6), new BlockFeatures(true, true, "ffn_norm"),
            FeedForward.GELU));
    /**
     * gpt-oss: Q/K/V/O biases, attention sinks, alternating sliding-window and full layers, YaRN, MoE with biases;
     * its pre-MoE norm is stored as {@code post_attention_norm}.
     */
    public static final Architecture GPT_OSS = register(new Architecture("gpt-oss", RopeStyle.NEOX,
            new AttentionFeatures(true, true, false, true, 2), new BlockFeatures(false, false, "post_attention_norm"),
            FeedForward.MOE_CLAMPED_SWIGLU));

    private static Architecture register(Architecture a) {
        REGISTRY.put(a.name, a);
        return a;
    }

    /** Q, K and V projections have bias vectors. */
    public boolean qkvBias() {
        return attention.qkvBias();
    }

    /** Q and K are RMS-normalised per head before RoPE. */
    public boolean qkNorm() {
        return attention.qkNorm();
    }

    /** Whether layer {@code layer} attends through a sliding window rather than to the whole context. */
    public boolean slidingWindow(int layer) {
        int n = attention.windowPattern();
        return n > 0 && layer % n < n - 1;
    }

    public static Optional<Architecture> byName(String name) {
        return Optional.ofNullable(REGISTRY.get(name));
    }

    /** Names of all known architectures, for error messages. */
    public static String known() {
        return String.join(", ", REGISTRY.keySet());
    }
}
