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
            if (arch.qkvBias()) {
                e.add(new Entry(b + "attn_q.bias", shape(c.qDim()), true));
                e.add(new Entry(b + "attn_k.bias", shape(c.kvDim()), true));
                e.add(new Entry(b + "attn_v.bias", shape(c.kvDim()), true));
            }
            if (arch.qkNorm()) {
                e.add(new Entry(b + "attn_q_norm.weight", shape(c.headDim()), true));
                e.add(new Entry(b + "attn_k_norm.weight", shape(c.headDim()), true));
            }
            e.add(new Entry(b + "ffn_norm.weight", shape(c.dim()), true));
            e.add(new Entry(b + "ffn_gate.weight", shape(c.dim(), c.ffnDim()), true));
            e.add(new Entry(b + "ffn_up.weight", shape(c.dim(), c.ffnDim()), true));
            e.add(new Entry(b + "ffn_down.weight", shape(c.ffnDim(), c.dim()), true));
        }
        return new TensorManifest(List.copyOf(e));
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
