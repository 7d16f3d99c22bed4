package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.engine.tensor.QuantFormat;

import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately plain forward pass for tests (llama, qwen2, qwen3, qwen3moe, gemma3, gpt-oss): weights expanded to
 * {@code double[][]} up front, every sum in double, no caching tricks beyond the KV lists, nothing shared with the
 * engine's forward pass; written from the architectures' descriptions (GELU exact, YaRN with the correction range
 * rounded as llama.cpp does). Weights are read through the tensor package's scalar dequantizers, which are
 * themselves checked against hand-made blocks.
 */
final class ReferenceTransformer {
    private final String arch;
    private final int dim, layers, heads, kvHeads, headDim, ffn, vocab, ropeDims;
    private final double eps, ropeBase, ropeBaseSwa;
    private final boolean neox;
    private final int window, windowPattern, expertsUsed;
    private final double yarnFactor, yarnLow, yarnHigh; // yarnFactor 0: none
    private final double[] ropeFactors;
    private final double[][] embedding, output;
    private final double[] outputNorm;
    private final List<Layer> blocks = new ArrayList<>();
    private final List<List<double[]>> keys = new ArrayList<>(), values = new ArrayList<>();

    private record Layer(double[] attnNorm, double[][] wq, double[][] wk, double[][] wv, double[][] wo,
                         double[] bq, double[] bk, double[] bv, double[] qNorm, double[] kNorm,
                         double[] ffnNorm, double[][] gate, double[][] up, double[][] down,
                         double[] bo, double[] sinks, double[] postAttnNorm, double[] postFfnNorm, Moe moe) {}

    /** Router and experts; {@code gate[e]} is expert e's (ffn x dim) matrix; biases null when absent. */
    private record Moe(double[][] router, double[] routerBias, double[][][] gate, double[][][] up, double[][][] down,
                       double[][] gateBias, double[][] upBias, double[][] downBias) {}

    ReferenceTransformer(GgufFile f) {
        var m = f.metadata();
        arch = m.requireString("general.architecture");
        dim = m.requireInt(arch + ".embedding_length");
        layers = m.requireInt(arch + ".block_count");
        heads = m.requireInt(arch + ".attention.head_count");
        kvHeads = m.getInt(arch + ".attention.head_count_kv", heads);
        headDim = m.getInt(arch + ".attention.key_length", dim / heads);
        ffn = m.requireInt(arch + ".feed_forward_length");
        ropeDims = m.getInt(arch + ".rope.dimension_count", headDim);
        eps = m.getFloat(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
        ropeBase = m.getFloat(arch + ".rope.freq_base", 10000f);
        ropeBaseSwa = m.getFloat(arch + ".rope.freq_base_swa", (float) ropeBase);
        neox = !arch.equals("llama");
        window = m.getInt(arch + ".attention.sliding_window", 0);
        windowPattern = switch (arch) {
            case "gemma3" -> 6;
            case "gpt-oss" -> 2;
            default -> 0;
        };
        expertsUsed = m.getInt(arch + ".expert_used_count", 0);
        if (m.getString(arch + ".rope.scaling.type").orElse("none").equals("yarn")) {
            yarnFactor = m.getFloat(arch + ".rope.scaling.factor", 1f);
            int original = m.getInt(arch + ".rope.scaling.original_context_length", 0);
            yarnLow = Math.floor(correctionDim(m.getFloat(arch + ".rope.scaling.yarn_beta_fast", 32f), original));
            yarnHigh = Math.ceil(correctionDim(m.getFloat(arch + ".rope.scaling.yarn_beta_slow", 1f), original));
        } else {
            yarnFactor = yarnLow = yarnHigh = 0;
        }
        ropeFactors = f.tensors().containsKey("rope_freqs.weight") ? vector(f, "rope_freqs.weight") : null;
        embedding = matrix(f, "token_embd.weight");
        vocab = embedding.length;
        output = f.tensors().containsKey("output.weight") ? matrix(f, "output.weight") : embedding;
        outputNorm = vector(f, "output_norm.weight");
        boolean gptOss = arch.equals("gpt-oss");
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            boolean moe = f.tensors().containsKey(b + "ffn_gate_exps.weight");
            blocks.add(new Layer(vector(f, b + "attn_norm.weight"), matrix(f, b + "attn_q.weight"),
                    matrix(f, b + "attn_k.weight"), matrix(f, b + "attn_v.weight"), matrix(f, b + "attn_output.weight"),
                    optionalVector(f, b + "attn_q.bias"), optionalVector(f, b + "attn_k.bias"),
                    optionalVector(f, b + "attn_v.bias"), optionalVector(f, b + "attn_q_norm.weight"),
                    optionalVector(f, b + "attn_k_norm.weight"),
                    vector(f, b + (gptOss ? "post_attention_norm.weight" : "ffn_norm.weight")),
                    moe ? null : matrix(f, b + "ffn_gate.weight"), moe ? null : matrix(f, b + "ffn_up.weight"),
                    moe ? null : matrix(f, b + "ffn_down.weight"),
                    optionalVector(f, b + "attn_output.bias"), optionalVector(f, b + "attn_sinks.weight"),
                    gptOss ? null : optionalVector(f, b + "post_attention_norm.weight"),
                    optionalVector(f, b + "post_ffw_norm.weight"),
                    moe ? new Moe(matrix(f, b + "ffn_gate_inp.weight"), optionalVector(f, b + "ffn_gate_inp.bias"),
                            experts(f, b + "ffn_gate_exps.weight"), experts(f, b + "ffn_up_exps.weight"),
                            experts(f, b + "ffn_down_exps.weight"), optionalMatrix(f, b + "ffn_gate_exps.bias"),
                            optionalMatrix(f, b + "ffn_up_exps.bias"), optionalMatrix(f, b + "ffn_down_exps.bias"))
                            : null));
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
    }

    private double correctionDim(double rotations, int originalContext) {
        return ropeDims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(ropeBase));
    }

    private boolean sliding(int layer) {
        return window > 0 && windowPattern > 0 && layer % windowPattern < windowPattern - 1;
    }

    /** Logits after appending {@code token} at the next position. */
    double[] forward(int token) {
        int pos = keys.getFirst().size();
        double[] x = embedding[token].clone();
        if (arch.equals("gemma3")) for (int i = 0; i < dim; i++) x[i] *= Math.sqrt(dim);
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
            double base = sliding(l) ? ropeBaseSwa : ropeBase;
            rope(q, pos, base);
            rope(k, pos, base);
            keys.get(l).add(k);
            values.get(l).add(v);
            int first = sliding(l) ? Math.max(0, pos - window + 1) : 0;
            double[] attnOut = new double[heads * headDim];
            for (int hd = 0; hd < heads; hd++) {
                int kvh = hd / (heads / kvHeads);
                double[] scores = new double[pos + 1];
                double max = w.sinks != null ? w.sinks[hd] : Double.NEGATIVE_INFINITY;
                for (int t = first; t <= pos; t++) {
                    double s = 0;
                    for (int i = 0; i < headDim; i++) s += q[hd * headDim + i] * keys.get(l).get(t)[kvh * headDim + i];
                    scores[t] = s / Math.sqrt(headDim);
                    max = Math.max(max, scores[t]);
                }
                double sum = w.sinks != null ? Math.exp(w.sinks[hd] - max) : 0;
                for (int t = first; t <= pos; t++) sum += scores[t] = Math.exp(scores[t] - max);
                for (int t = first; t <= pos; t++) {
                    for (int i = 0; i < headDim; i++) {
                        attnOut[hd * headDim + i] += scores[t] / sum * values.get(l).get(t)[kvh * headDim + i];
                    }
                }
            }
            double[] o = add(matvec(w.wo, attnOut), w.bo);
            if (w.postAttnNorm != null) o = rmsNorm(o, w.postAttnNorm);
            for (int i = 0; i < dim; i++) x[i] += o[i];
            double[] h2 = rmsNorm(x, w.ffnNorm);
            double[] d = w.moe != null ? moe(w.moe, h2) : denseFfn(w, h2);
            if (w.postFfnNorm != null) d = rmsNorm(d, w.postFfnNorm);
            for (int i = 0; i < dim; i++) x[i] += d[i];
        }
        return matvec(output, rmsNorm(x, outputNorm));
    }

    private double[] denseFfn(Layer w, double[] x) {
        double[] g = matvec(w.gate, x), u = matvec(w.up, x);
        boolean gelu = arch.equals("gemma3");
        for (int i = 0; i < ffn; i++) {
            double a = g[i];
            g[i] = (gelu ? 0.5 * a * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (a + 0.044715 * a * a * a)))
                    : a / (1 + Math.exp(-a))) * u[i];
        }
        return matvec(w.down, g);
    }

    /**
     * qwen3moe: softmax over all router logits, the top k probabilities renormalised. gpt-oss: router bias, the top
     * k logits, softmax over those; expert biases and the clamped SwiGLU.
     */
    private double[] moe(Moe m, double[] x) {
        double[] logits = add(matvec(m.router, x), m.routerBias);
        int n = logits.length;
        boolean gptOss = arch.equals("gpt-oss");
        double[] p = logits.clone();
        if (!gptOss) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double v : p) max = Math.max(max, v);
            for (int e = 0; e < n; e++) sum += p[e] = Math.exp(p[e] - max);
            for (int e = 0; e < n; e++) p[e] /= sum;
        }
        Integer[] order = new Integer[n];
        for (int e = 0; e < n; e++) order[e] = e;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double[] weight = new double[expertsUsed];
        double total = 0;
        double top = p[order[0]];
        for (int k = 0; k < expertsUsed; k++) total += weight[k] = gptOss ? Math.exp(p[order[k]] - top) : p[order[k]];
        double[] out = new double[dim];
        for (int k = 0; k < expertsUsed; k++) {
            int e = order[k];
            double[] g = add(matvec(m.gate[e], x), m.gateBias == null ? null : m.gateBias[e]);
            double[] u = add(matvec(m.up[e], x), m.upBias == null ? null : m.upBias[e]);
            for (int i = 0; i < g.length; i++) {
                if (gptOss) {
                    double a = Math.min(g[i], 7), b = Math.max(-7, Math.min(u[i], 7));
                    g[i] = a / (1 + Math.exp(-1.702 * a)) * (b + 1);
                } else {
                    g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                }
            }
            double[] d = add(matvec(m.down[e], g), m.downBias == null ? null : m.downBias[e]);
            for (int i = 0; i < dim; i++) out[i] += weight[k] / total * d[i];
        }
        return out;
    }

    int vocab() {
        return vocab;
    }

    /** With YaRN (llama.cpp's form): a ramp between the rounded correction dims mixes the angle and angle/factor. */
    private void rope(double[] v, int pos, double base) {
        int n = v.length / headDim;
        double mscale = yarnFactor > 0 ? 1 + 0.1 * Math.log(yarnFactor) : 1;
        for (int hd = 0; hd < n; hd++) {
            for (int i = 0; i < ropeDims / 2; i++) {
                double theta = pos * Math.pow(base, -2.0 * i / ropeDims);
                if (ropeFactors != null) theta /= ropeFactors[i];
                if (yarnFactor > 0) {
                    double ramp = 1 - Math.min(1, Math.max(0, (i - yarnLow) / Math.max(0.001, yarnHigh - yarnLow)));
                    theta = theta / yarnFactor * (1 - ramp) + theta * ramp;
                }
                int a = hd * headDim + (neox ? i : 2 * i), b = neox ? a + ropeDims / 2 : a + 1;
                double x0 = v[a], x1 = v[b], c = Math.cos(theta) * mscale, s = Math.sin(theta) * mscale;
                v[a] = x0 * c - x1 * s;
                v[b] = x0 * s + x1 * c;
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

    /** A 3-D stack [cols, rows, n] as n matrices of rows x cols. */
    private static double[][][] experts(GgufFile f, String name) {
        TensorInfo t = f.requireTensor(name);
        int cols = (int) t.shape()[0], rows = (int) t.shape()[1], n = (int) t.shape()[2];
        long rowBytes = t.type().bytesFor(cols);
        QuantFormat q = QuantFormat.of(t.type());
        float[] row = new float[cols];
        double[][][] m = new double[n][rows][cols];
        for (int r = 0; r < rows * n; r++) {
            q.dequantize(f.data(t), r * rowBytes, row, 0, cols);
            for (int c = 0; c < cols; c++) m[r / rows][r % rows][c] = row[c];
        }
        return m;
    }

    private static double[][] optionalMatrix(GgufFile f, String name) {
        return f.tensors().containsKey(name) ? matrix(f, name) : null;
    }

    private static double[] optionalVector(GgufFile f, String name) {
        return f.tensors().containsKey(name) ? vector(f, name) : null;
    }
}
