package dev.junction.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The small vector operations of a transformer step besides matrix products: normalisation, activation, softmax,
 * residual adds. Each works in place on a range of a float array and allocates nothing.
 */
public final class Ops {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Ops() {}

    /** {@code out = x / rms(x) * weight} over {@code n} elements; sums in double like ggml. */
    public static void rmsNorm(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            sum += v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(sum / n + eps));
        for (int i = 0; i < n; i++) out[outOffset + i] = x[xOffset + i] * scale * weight[i];
    }

    /** In-place softmax over {@code x[offset .. offset+n)}. */
    public static void softmax(float[] x, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[offset + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) x[offset + i] *= inv;
    }

    /** SwiGLU: {@code gate[i] = silu(gate[i]) * up[i]}. */
    public static void swiglu(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            gate[i] = g / (1.0f + (float) Math.exp(-g)) * up[i];
        }
    }

    /**
     * GELU-gated: {@code gate[i] = gelu(gate[i]) * up[i]} with the tanh form of GELU,
     * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, computed exactly (in double), not through a table.
     */
    public static void geglu(float[] gate, float[] up, int n) {
        final double c = Math.sqrt(2 / Math.PI);
        for (int i = 0; i < n; i++) {
            double g = gate[i];
            gate[i] = (float) (0.5 * g * (1 + Math.tanh(c * (g + 0.044715 * g * g * g)))) * up[i];
        }
    }

    /**
     * gpt-oss's clamped SwiGLU on {@code n} elements from {@code offset}: {@code g = min(gate, limit)},
     * {@code u = clamp(up, -limit, limit)}, {@code gate = g · sigmoid(alpha · g) · (u + 1)}.
     */
    public static void clampedSwiglu(float[] gate, float[] up, int offset, int n, float alpha, float limit) {
        for (int i = offset; i < offset + n; i++) {
            float g = Math.min(gate[i], limit), u = Math.max(-limit, Math.min(up[i], limit));
            gate[i] = g / (1.0f + (float) Math.exp(-alpha * g)) * (u + 1);
        }
    }

    /** {@code x[i] *= s}. */
    public static void scale(float[] x, int offset, int n, float s) {
        for (int i = offset; i < offset + n; i++) x[i] *= s;
    }

    /** {@code x[i] += y[i]}. */
    public static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) x[i] += y[i];
    }

    /** {@code x[offset + i] += bias[i]}. */
    public static void add(float[] x, int offset, float[] bias) {
        for (int i = 0; i < bias.length; i++) x[offset + i] += bias[i];
    }

    /** Σ a[aOffset+i]·b[bOffset+i]. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int i = 0;
        float sum = 0;
        if (n >= F.length()) {
            FloatVector acc = FloatVector.zero(F);
            for (int upper = F.loopBound(n); i < upper; i += F.length()) {
                acc = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) sum += a[aOffset + i] * b[bOffset + i];
        return sum;
    }

    /** {@code y[yOffset+i] += alpha · x[xOffset+i]}. */
    public static void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int upper = F.loopBound(n); i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, xOffset + i).fma(va, FloatVector.fromArray(F, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (; i < n; i++) y[yOffset + i] += alpha * x[xOffset + i];
    }
}
