package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.ModelFormatException;
import dev.junction.engine.gguf.TensorInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tensors an architecture needs, by name and shape (ggml order: columns first), worked out from its config.
 * Checking a file against it up front turns a wrong or damaged file into one clear error instead of a failure
 * deep inside the forward pass.
 */
public record TensorManifest(List<Entry> entries) {

    /** One expected tensor; an optional one may be absent but, when present, must have this shape. */
    public record Entry(String name, long[] shape, boolean required) {
        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    public static TensorManifest of(ModelConfig c) {
        List<Entry> e = new ArrayList<>();
        Architecture arch = c.architecture();
        e.add(new Entry("token_embd.weight", shape(c.dim(), c.vocabSize()), true));
        e.add(new Entry("output_norm.weight", shape(c.dim()), true));
        e.add(new Entry("output.weight", shape(c.dim(), c.vocabSize()), false));
        e.add(new Entry("rope_freqs.weight", shape(c.ropeDims() / 2), false));
        for (int l = 0; l < c.layers(); l++) {
            String b = "blk." + l + ".";
            e.add(new Entry(b + "attn_norm.weight", shape(c.dim()), true));
            e.add(new Entry(b + "attn_q.weight", shape(c.dim(), c.qDim()), true));
            e.add(new Entry(b + "attn_k.weight", shape(c.dim(), c.kvDim()), true));
            e.add(new Entry(b + "attn_v.weight", shape(c.dim(), c.kvDim()), true));
            e.add(new Entry(b + "attn_output.weight", shape(c.qDim(), c.dim()), true));
            Architecture.AttentionFeatures a = arch.attention();
            if (a.qkvBias()) {
                e.add(new Entry(b + "attn_q.bias", shape(c.qDim()), true));
                e.add(new Entry(b + "attn_k.bias", shape(c.kvDim()), true));
                e.add(new Entry(b + "attn_v.bias", shape(c.kvDim()), true));
            }
            if (a.outputBias()) e.add(new Entry(b + "attn_output.bias", shape(c.dim()), true));
            if (a.qkNorm()) {
                e.add(new Entry(b + "attn_q_norm.weight", shape(c.headDim()), true));
                e.add(new Entry(b + "attn_k_norm.weight", shape(c.headDim()), true));
            }
            if (a.sinks()) e.add(new Entry(b + "attn_sinks.weight", shape(c.heads()), true));
            if (arch.block().postNorms()) {
                e.add(new Entry(b + "post_attention_norm.weight", shape(c.dim()), true));
                e.add(new Entry(b + "post_ffw_norm.weight", shape(c.dim()), true));
            }
            e.add(new Entry(b + arch.block().ffnNormTensor() + ".weight", shape(c.dim()), true));
            if (arch.feedForward().moe()) {
                addExperts(e, b, c, arch.feedForward() == Architecture.FeedForward.MOE_CLAMPED_SWIGLU);
            } else {
                e.add(new Entry(b + "ffn_gate.weight", shape(c.dim(), c.ffnDim()), true));
                e.add(new Entry(b + "ffn_up.weight", shape(c.dim(), c.ffnDim()), true));
                e.add(new Entry(b + "ffn_down.weight", shape(c.ffnDim(), c.dim()), true));
            }
        }
        return new TensorManifest(List.copyOf(e));
    }

    /**
     * The router ({@code [dim, experts]}) and the experts, stacked in 3-D tensors {@code [in, out, experts]} (expert
     * {@code e} is the {@code e}-th {@code in × out} slab); with {@code biases}, a bias per router logit and per
     * expert output ({@code [out, experts]}).
     */
    private static void addExperts(List<Entry> e, String b, ModelConfig c, boolean biases) {
        ModelConfig.Experts x = c.experts();
        e.add(new Entry(b + "ffn_gate_inp.weight", shape(c.dim(), x.count()), true));
        e.add(new Entry(b + "ffn_gate_exps.weight", shape(c.dim(), x.ffnDim(), x.count()), true));
        e.add(new Entry(b + "ffn_up_exps.weight", shape(c.dim(), x.ffnDim(), x.count()), true));
        e.add(new Entry(b + "ffn_down_exps.weight", shape(x.ffnDim(), c.dim(), x.count()), true));
        if (biases) {
            e.add(new Entry(b + "ffn_gate_inp.bias", shape(x.count()), true));
            e.add(new Entry(b + "ffn_gate_exps.bias", shape(x.ffnDim(), x.count()), true));
            e.add(new Entry(b + "ffn_up_exps.bias", shape(x.ffnDim(), x.count()), true));
            e.add(new Entry(b + "ffn_down_exps.bias", shape(c.dim(), x.count()), true));
        }
    }

    /** Fails naming the first tensor that is missing, mis-shaped or of a type the engine cannot compute with. */
    public void check(GgufFile file) {
        for (Entry entry : entries) {
            TensorInfo info = file.tensors().get(entry.name());
            if (info == null) {
                if (entry.required()) throw new ModelFormatException(file.path(), "missing required tensor " + entry.name());
                continue;
            }
            if (!sameShape(info.shape(), entry.shape())) {
                throw new ModelFormatException(file.path(), "tensor " + entry.name() + " has shape "
                        + Arrays.toString(info.shape()) + ", expected " + Arrays.toString(entry.shape()));
            }
            if (!info.type().supported()) {
                throw new ModelFormatException(file.path(), "tensor " + entry.name() + " has type " + info.type()
                        + ", which this engine cannot compute with yet");
            }
        }
    }

    /** Trailing dimensions of size 1 do not count: {@code [64]} equals {@code [64, 1]}. */
    private static boolean sameShape(long[] actual, long[] expected) {
        int n = Math.max(actual.length, expected.length);
        for (int i = 0; i < n; i++) {
            long a = i < actual.length ? actual[i] : 1, b = i < expected.length ? expected[i] : 1;
            if (a != b) return false;
        }
        return true;
    }

    private static long[] shape(long... dims) {
        return dims;
    }
}
