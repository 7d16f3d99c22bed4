package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.engine.kernel.Matrix;
import dev.junction.engine.tensor.QuantFormat;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The tensors of a loaded model. Matrices stay in the file's mapping, in the file's types; the small vectors
 * (norms, biases, RoPE factors) are expanded to floats once at load.
 *
 * @param tokenEmbedding (vocab, dim) rows looked up per token
 * @param output         (vocab, dim) the output projection; the embedding itself when the file ties them
 * @param ropeFactors    per RoPE pair, the divisor of its frequency ({@code rope_freqs.weight}), or null
 */
public record Weights(Matrix tokenEmbedding, float[] outputNorm, Matrix output, float[] ropeFactors,
                      List<Layer> layers) {

    /** One transformer block. Shapes in (rows, cols); biases and Q/K norms are null when the architecture has none. */
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
                        Matrix down  // (dim, ffn)
    ) {}

    /** Loads the weights named by {@code manifest}, which must already have been checked against {@code file}. */
    static Weights load(GgufFile file, ModelConfig c) {
        Architecture arch = c.architecture();
        List<Layer> layers = IntStream.range(0, c.layers()).mapToObj(l -> {
            String b = "blk." + l + ".";
            return new Layer(vector(file, b + "attn_norm.weight"),
                    matrix(file, b + "attn_q.weight"), matrix(file, b + "attn_k.weight"),
                    matrix(file, b + "attn_v.weight"), matrix(file, b + "attn_output.weight"),
                    arch.qkvBias() ? vector(file, b + "attn_q.bias") : null,
                    arch.qkvBias() ? vector(file, b + "attn_k.bias") : null,
                    arch.qkvBias() ? vector(file, b + "attn_v.bias") : null,
                    arch.qkNorm() ? vector(file, b + "attn_q_norm.weight") : null,
                    arch.qkNorm() ? vector(file, b + "attn_k_norm.weight") : null,
                    vector(file, b + "ffn_norm.weight"),
                    matrix(file, b + "ffn_gate.weight"), matrix(file, b + "ffn_up.weight"),
                    matrix(file, b + "ffn_down.weight"));
        }).toList();
        Matrix embedding = matrix(file, "token_embd.weight");
        Matrix output = file.tensors().containsKey("output.weight") ? matrix(file, "output.weight") : embedding;
        float[] ropeFactors = file.tensors().containsKey("rope_freqs.weight") ? vector(file, "rope_freqs.weight") : null;
        return new Weights(embedding, vector(file, "output_norm.weight"), output, ropeFactors, layers);
    }

    /**
     * Bytes of weights one decode step reads: every matrix but the embedding table (of which only one row is read),
     * plus the small vectors. The denominator of the bandwidth roofline.
     */
    public long bytesReadPerToken() {
        long bytes = output.data().byteSize() + 4L * (outputNorm.length + (ropeFactors == null ? 0 : ropeFactors.length));
        for (Layer l : layers) {
            for (Matrix m : new Matrix[]{l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()}) {
                bytes += m.data().byteSize();
            }
            bytes += 4L * (l.attnNorm().length + l.ffnNorm().length);
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

    static float[] vector(GgufFile file, String name) {
        TensorInfo info = file.requireTensor(name);
        float[] v = new float[(int) info.elementCount()];
        QuantFormat.of(info.type()).dequantize(file.data(info), 0, v, 0, v.length);
        return v;
    }
}
