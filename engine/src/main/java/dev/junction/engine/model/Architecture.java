package dev.junction.engine.model;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A model family as the engine knows it. The Llama-style decoder families differ only by a few switches — how RoPE
 * pairs elements, whether Q/K/V carry biases, whether Q and K are RMS-normalised per head — so an architecture is
 * those switches; hyper-parameters come from metadata ({@link ModelConfig}), the tensors it needs from
 * {@link TensorManifest}, and one forward pass ({@link Transformer}) serves them all.
 *
 * @param name      the {@code general.architecture} value, also the prefix of its metadata keys
 * @param ropeStyle how RoPE pairs elements
 * @param qkvBias   Q, K and V projections have bias vectors
 * @param qkNorm    Q and K are RMS-normalised per head before RoPE
 */
public record Architecture(String name, RopeStyle ropeStyle, boolean qkvBias, boolean qkNorm) {
    private static final Map<String, Architecture> REGISTRY = new TreeMap<>();

    /** Llama 1/2/3.x, Mistral, TinyLlama and other {@code llama}-tagged files. */
    public static final Architecture LLAMA = register(new Architecture("llama", RopeStyle.NORMAL, false, false));
    /** Qwen 2 and 2.5: biases on Q/K/V, NeoX RoPE. */
    public static final Architecture QWEN2 = register(new Architecture("qwen2", RopeStyle.NEOX, true, false));
    /** Qwen 3 (dense): per-head RMS norm on Q and K, NeoX RoPE, no biases. */
    public static final Architecture QWEN3 = register(new Architecture("qwen3", RopeStyle.NEOX, false, true));

    private static Architecture register(Architecture a) {
        REGISTRY.put(a.name, a);
        return a;
    }

    public static Optional<Architecture> byName(String name) {
        return Optional.ofNullable(REGISTRY.get(name));
    }

    /** Names of all known architectures, for error messages. */
    public static String known() {
        return String.join(", ", REGISTRY.keySet());
    }
}
