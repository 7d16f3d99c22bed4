package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.engine.tensor.QuantFormat;

import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately plain Llama-family forward pass for tests: weights expanded to {@code double[][]} up front, every
 * sum in double, no caching tricks beyond the KV lists, nothing shared with the engine's forward pass. Weights are
 * read through the tensor package's scalar dequantizers, which are themselves checked against hand-made blocks.
 */
final class ReferenceTransformer {
    private final int dim, layers, heads, kvHeads, headDim, ffn, vocab, ropeDims;
    private final double eps, ropeBase;
    private final boolean neox;
    private final double[] ropeFactors;
    private final double[][] embedding, output;
    private final double[] outputNorm;
    private final List<Layer> blocks = new ArrayList<>();
    private final List<List<double[]>> keys = new ArrayList<>(), values = new ArrayList<>();

    private record Layer(double[] attnNorm, double[][] wq, double[][] wk, double[][] wv, double[][] wo,
                         double[] bq, double[] bk, double[] bv, double[] qNorm, double[] kNorm,
                         double[] ffnNorm, double[][] gate, double[][] up, double[][] down) {}

    ReferenceTransformer(GgufFile f) {
        var m = f.metadata();
        String arch = m.requireString("general.architecture");
        dim = m.requireInt(arch + ".embedding_length");
        layers = m.requireInt(arch + ".block_count");
        heads = m.requireInt(arch + ".attention.head_count");
        kvHeads = m.getInt(arch + ".attention.head_count_kv", heads);
        headDim = m.getInt(arch + ".attention.key_length", dim / heads);
        ffn = m.requireInt(arch + ".feed_forward_length");
        ropeDims = m.getInt(arch + ".rope.dimension_count", headDim);
        eps = m.getFloat(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
        ropeBase = m.getFloat(arch + ".rope.freq_base", 10000f);
        neox = !arch.equals("llama");
        ropeFactors = f.tensors().containsKey("rope_freqs.weight") ? vector(f, "rope_freqs.weight") : null;
        embedding = matrix(f, "token_embd.weight");
        vocab = embedding.length;
        output = f.tensors().containsKey("output.weight") ? matrix(f, "output.weight") : embedding;
        outputNorm = vector(f, "output_norm.weight");
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            blocks.add(new Layer(vector(f, b + "attn_norm.weight"), matrix(f, b + "attn_q.weight"),
                    matrix(f, b + "attn_k.weight"), matrix(f, b + "attn_v.weight"), matrix(f, b + "attn_output.weight"),
                    optionalVector(f, b + "attn_q.bias"), optionalVector(f, b + "attn_k.bias"),
                    optionalVector(f, b + "attn_v.bias"), optionalVector(f, b + "attn_q_norm.weight"),
                    optionalVector(f, b + "attn_k_norm.weight"), vector(f, b + "ffn_norm.weight"),
                    matrix(f, b + "ffn_gate.weight"), matrix(f, b + "ffn_up.weight"), matrix(f, b + "ffn_down.weight")));
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
    }

    /** Logits after appending {@code token} at the next position. */
    double[] forward(int token) {
        int pos = keys.getFirst().size();
        double[] x = embedding[token].clone();
        for (int l = 0; l < layers; l++) {
            Layer w = blocks.get(l);
            double[] h = rmsNorm(x, w.attnNorm);
            double[] q = add(matvec(w.wq, h), w.bq);
            double[] k = add(matvec(w.wk, h), w.bk);
            double[] v = add(matvec(w.wv, h), w.bv);
            if (w.qNorm != null) {
                perHeadNorm(q, w.qNorm);
                perHeadNorm(k, w.kNorm);
            }
            rope(q, pos);
            rope(k, pos);
            keys.get(l).add(k);
            values.get(l).add(v);
            double[] attnOut = new double[heads * headDim];
            for (int hd = 0; hd < heads; hd++) {
                int kvh = hd / (heads / kvHeads);
                double[] scores = new double[pos + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= pos; t++) {
                    double s = 0;
                    for (int i = 0; i < headDim; i++) s += q[hd * headDim + i] * keys.get(l).get(t)[kvh * headDim + i];
                    scores[t] = s / Math.sqrt(headDim);
                    max = Math.max(max, scores[t]);
                }
                double sum = 0;
                for (int t = 0; t <= pos; t++) sum += scores[t] = Math.exp(scores[t] - max);
                for (int t = 0; t <= pos; t++) {
                    for (int i = 0; i < headDim; i++) {
                        attnOut[hd * headDim + i] += scores[t] / sum * values.get(l).get(t)[kvh * headDim + i];
                    }
                }
            }
            double[] o = matvec(w.wo, attnOut);
            for (int i = 0; i < dim; i++) x[i] += o[i];
            double[] h2 = rmsNorm(x, w.ffnNorm);
            double[] g = matvec(w.gate, h2), u = matvec(w.up, h2);
            for (int i = 0; i < ffn; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
            double[] d = matvec(w.down, g);
            for (int i = 0; i < dim; i++) x[i] += d[i];
        }
        return matvec(output, rmsNorm(x, outputNorm));
    }

    int vocab() {
        return vocab;
    }

    private void rope(double[] v, int pos) {
        int n = v.length / headDim;
        for (int hd = 0; hd < n; hd++) {
            for (int i = 0; i < ropeDims / 2; i++) {
                double theta = pos * Math.pow(ropeBase, -2.0 * i / ropeDims);
                if (ropeFactors != null) theta /= ropeFactors[i];
                int a = hd * headDim + (neox ? i : 2 * i), b = neox ? a + ropeDims / 2 : a + 1;
                double x0 = v[a], x1 = v[b];
                v[a] = x0 * Math.cos(theta) - x1 * Math.sin(theta);
                v[b] = x0 * Math.sin(theta) + x1 * Math.cos(theta);
            }
        }
    }

    private void perHeadNorm(double[] v, double[] weight) {
        for (int hd = 0; hd < v.length / headDim; hd++) {
            double ss = 0;
            for (int i = 0; i < headDim; i++) ss += v[hd * headDim + i] * v[hd * headDim + i];
            double scale = 1 / Math.sqrt(ss / headDim + eps);
            for (int i = 0; i < headDim; i++) v[hd * headDim + i] *= scale * weight[i];
        }
    }

    private double[] rmsNorm(double[] x, double[] weight) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double scale = 1 / Math.sqrt(ss / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] * scale * weight[i];
        return out;
    }

    private static double[] matvec(double[][] w, double[] x) {
        double[] out = new double[w.length];
        for (int r = 0; r < w.length; r++) {
            double s = 0;
            for (int c = 0; c < x.length; c++) s += w[r][c] * x[c];
            out[r] = s;
        }
        return out;
    }

    private static double[] add(double[] x, double[] bias) {
        if (bias != null) for (int i = 0; i < x.length; i++) x[i] += bias[i];
        return x;
    }

    private static double[][] matrix(GgufFile f, String name) {
        TensorInfo t = f.requireTensor(name);
        int cols = (int) t.shape()[0], rows = (int) t.shape()[1];
        long rowBytes = t.type().bytesFor(cols);
        QuantFormat q = QuantFormat.of(t.type());
        float[] row = new float[cols];
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            q.dequantize(f.data(t), r * rowBytes, row, 0, cols);
            for (int c = 0; c < cols; c++) m[r][c] = row[c];
        }
        return m;
    }

    private static double[] vector(GgufFile f, String name) {
        TensorInfo t = f.requireTensor(name);
        float[] v = new float[(int) t.elementCount()];
        QuantFormat.of(t.type()).dequantize(f.data(t), 0, v, 0, v.length);
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    private static double[] optionalVector(GgufFile f, String name) {
        return f.tensors().containsKey(name) ? vector(f, name) : null;
    }
}
