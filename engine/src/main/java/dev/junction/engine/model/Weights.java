package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.engine.kernel.Matrix;
import dev.junction.engine.tensor.QuantFormat;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The tensors of a loaded model. Matrices stay in the file's mapping, in the file's types; the small vectors
 * (norms, biases, RoPE factors, sinks) are expanded to floats once at load. An expert of a mixture-of-experts layer
 * is a {@link Matrix} over its slab of the 3-D tensor's memory: nothing is copied.
 *
 * @param tokenEmbedding (vocab, dim) rows looked up per token
 * @param output         (vocab, dim) the output projection; the embedding itself when the file ties them
 * @param ropeFactors    per RoPE pair, the divisor of its frequency ({@code rope_freqs.weight}), or null
 */
public record Weights(Matrix tokenEmbedding, float[] outputNorm, Matrix output, float[] ropeFactors,
                      List<Layer> layers) {

    /**
     * One transformer block. Shapes in (rows, cols); what the architecture does not have is null: biases, Q/K norms,
     * sinks, post-norms, the dense FFN (in a MoE layer) or the experts (in a dense one).
     */
    public record Layer(float[] attnNorm,
                        Matrix wq,   // (heads * headDim, dim)
                        Matrix wk,   // (kvHeads * headDim, dim)
                        Matrix wv,   // (kvHeads * headDim, dim)
                        Matrix wo,   // (dim, heads * headDim)
                        float[] bq, float[] bk, float[] bv,
                        float[] qNorm, float[] kNorm, // (headDim)
                        float[] ffnNorm,
                        Matrix gate, // (ffn, dim)
                        Matrix up,   // (ffn, dim)
                        Matrix down, // (dim, ffn)
                        float[] bo,  // (dim)
                        float[] sinks, // (heads)
                        float[] postAttnNorm, float[] postFfnNorm, // (dim)
                        Experts experts
    ) {
        /** A dense block with none of the newer features. */
        public Layer(float[] attnNorm, Matrix wq, Matrix wk, Matrix wv, Matrix wo, float[] bq, float[] bk, float[] bv,
                     float[] qNorm, float[] kNorm, float[] ffnNorm, Matrix gate, Matrix up, Matrix down) {
            this(attnNorm, wq, wk, wv, wo, bq, bk, bv, qNorm, kNorm, ffnNorm, gate, up, down, null, null, null, null,
                    null);
        }
    }

    /**
     * A mixture-of-experts FFN: the router, and per expert its gate, up and down matrices; biases null when the
     * architecture has none.
     *
     * @param used       experts each token runs through
     * @param router     (experts, dim), F32 in every file llama.cpp writes
     * @param routerBias (experts)
     * @param gateBias   per expert (expertFfn); likewise {@code upBias}, and {@code downBias} (dim)
     */
    public record Experts(int used, Matrix router, float[] routerBias, Matrix[] gate, Matrix[] up, Matrix[] down,
                          float[][] gateBias, float[][] upBias, float[][] downBias) {
        public int count() {
            return gate.length;
        }

        /** Bytes of all experts' matrices. */
        long expertBytes() {
            long bytes = 0;
            for (int e = 0; e < count(); e++) bytes += gate[e].data().byteSize() + up[e].data().byteSize() + down[e].data().byteSize();
            return bytes;
        }
    }

    /** Loads the weights named by {@code manifest}, which must already have been checked against {@code file}. */
    static Weights load(GgufFile file, ModelConfig c) {
        Architecture arch = c.architecture();
        Architecture.AttentionFeatures a = arch.attention();
        boolean post = arch.block().postNorms(), moe = arch.feedForward().moe();
        boolean expertBiases = arch.feedForward() == Architecture.FeedForward.MOE_CLAMPED_SWIGLU;
        List<Layer> layers = IntStream.range(0, c.layers()).mapToObj(l -> {
            String b = "blk." + l + ".";
            return new Layer(vector(file, b + "attn_norm.weight"),
                    matrix(file, b + "attn_q.weight"), matrix(file, b + "attn_k.weight"),
                    matrix(file, b + "attn_v.weight"), matrix(file, b + "attn_output.weight"),
                    a.qkvBias() ? vector(file, b + "attn_q.bias") : null,
                    a.qkvBias() ? vector(file, b + "attn_k.bias") : null,
                    a.qkvBias() ? vector(file, b + "attn_v.bias") : null,
                    a.qkNorm() ? vector(file, b + "attn_q_norm.weight") : null,
                    a.qkNorm() ? vector(file, b + "attn_k_norm.weight") : null,
                    vector(file, b + arch.block().ffnNormTensor() + ".weight"),
                    moe ? null : matrix(file, b + "ffn_gate.weight"), moe ? null : matrix(file, b + "ffn_up.weight"),
                    moe ? null : matrix(file, b + "ffn_down.weight"),
                    a.outputBias() ? vector(file, b + "attn_output.bias") : null,
                    a.sinks() ? vector(file, b + "attn_sinks.weight") : null,
                    post ? vector(file, b + "post_attention_norm.weight") : null,
                    post ? vector(file, b + "post_ffw_norm.weight") : null,
                    moe ? experts(file, b, c.experts().used(), expertBiases) : null);
        }).toList();
        Matrix embedding = matrix(file, "token_embd.weight");
        Matrix output = file.tensors().containsKey("output.weight") ? matrix(file, "output.weight") : embedding;
        float[] ropeFactors = file.tensors().containsKey("rope_freqs.weight") ? vector(file, "rope_freqs.weight") : null;
        return new Weights(embedding, vector(file, "output_norm.weight"), output, ropeFactors, layers);
    }

    private static Experts experts(GgufFile file, String b, int used, boolean biases) {
        return new Experts(used, matrix(file, b + "ffn_gate_inp.weight"),
                biases ? vector(file, b + "ffn_gate_inp.bias") : null,
                slabs(file, b + "ffn_gate_exps.weight"), slabs(file, b + "ffn_up_exps.weight"),
                slabs(file, b + "ffn_down_exps.weight"),
                biases ? rows(file, b + "ffn_gate_exps.bias") : null,
                biases ? rows(file, b + "ffn_up_exps.bias") : null,
                biases ? rows(file, b + "ffn_down_exps.bias") : null);
    }

    /**
     * Bytes of weights one decode step reads: every matrix but the embedding table (of which only one row is read),
     * plus the small vectors; of a mixture of experts, the router and as many average experts as a token uses. The
     * denominator of the bandwidth roofline.
     */
    public long bytesReadPerToken() {
        long bytes = output.data().byteSize() + 4L * (outputNorm.length + (ropeFactors == null ? 0 : ropeFactors.length));
        for (Layer l : layers) {
            for (Matrix m : new Matrix[]{l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()}) {
                if (m != null) bytes += m.data().byteSize();
            }
            bytes += 4L * (l.attnNorm().length + l.ffnNorm().length);
            Experts x = l.experts();
            if (x != null) bytes += x.router().data().byteSize() + x.used() * (x.expertBytes() / x.count());
        }
        return bytes;
    }

    /** Whether the output projection is the token embedding (tied weights). */
    public boolean tiedOutput() {
        return output == tokenEmbedding;
    }

    static Matrix matrix(GgufFile file, String name) {
        TensorInfo info = file.requireTensor(name);
        long[] s = info.shape();
        return new Matrix(name, QuantFormat.of(info.type()), file.data(info), (int) (s.length > 1 ? s[1] : 1), (int) s[0]);
    }

    /** The slabs of a 3-D tensor {@code [cols, rows, n]}: n matrices over consecutive ranges of its memory. */
    static Matrix[] slabs(GgufFile file, String name) {
        TensorInfo info = file.requireTensor(name);
        long[] s = info.shape();
        int cols = (int) s[0], rows = (int) s[1], n = (int) s[2];
        QuantFormat format = QuantFormat.of(info.type());
        MemorySegment data = file.data(info);
        long slab = rows * info.type().bytesFor(cols);
        Matrix[] m = new Matrix[n];
        for (int e = 0; e < n; e++) m[e] = new Matrix(name + "[" + e + "]", format, data.asSlice(e * slab, slab), rows, cols);
        return m;
    }

    /** A 2-D F32 tensor {@code [cols, rows]} (per-expert biases) as rows. */
    static float[][] rows(GgufFile file, String name) {
        TensorInfo info = file.requireTensor(name);
        int cols = (int) info.shape()[0], rows = (int) info.shape()[1];
        float[] all = vector(file, name);
        float[][] r = new float[rows][];
        for (int i = 0; i < rows; i++) r[i] = java.util.Arrays.copyOfRange(all, i * cols, (i + 1) * cols);
        return r;
    }

    static float[] vector(GgufFile file, String name) {
        TensorInfo info = file.requireTensor(name);
        float[] v = new float[(int) info.elementCount()];
        QuantFormat.of(info.type()).dequantize(file.data(info), 0, v, 0, v.length);
        return v;
    }
}
