package dev.junction.engine.model;

import dev.junction.engine.kernel.MatMul;
import dev.junction.engine.kernel.Ops;
import dev.junction.engine.kernel.Parallel;

import java.util.Arrays;

/**
 * A mixture-of-experts FFN over the rows of a step. Each row's router logits pick its top-k experts, weighted by the
 * softmax over those k logits (for Qwen3-MoE's "softmax over all, take the top k, renormalise" this is the same
 * weights: the common denominator cancels). Then the rows are grouped by expert: each selected expert gathers its
 * rows into one small batch and multiplies it with its slabs, so an expert's weights are read once per step, and
 * experts no row selected are not touched. A row's output adds its experts' weighted outputs in expert order, so it
 * does not depend on the other rows of the step.
 *
 * <p>Reusable scratch for batches of up to {@code maxRows} rows; one instance per {@link Transformer.Batch}.
 */
final class MixtureOfExperts {
    /** gpt-oss's clamped SwiGLU: {@code sigmoid(1.702 g)} and the clamp at 7. */
    private static final float OAI_ALPHA = 1.702f, OAI_LIMIT = 7f;

    private final int dim, ffn, count, used;
    private final boolean clamped;
    private final float[] logits, weights, xe, ge, ue, ye;
    private final int[] chosen, members;

    MixtureOfExperts(ModelConfig c, int maxRows) {
        ModelConfig.Experts x = c.experts();
        dim = c.dim();
        ffn = x.ffnDim();
        count = x.count();
        used = x.used();
        clamped = c.architecture().feedForward() == Architecture.FeedForward.MOE_CLAMPED_SWIGLU;
        logits = new float[maxRows * count];
        weights = new float[maxRows * used];
        chosen = new int[maxRows * used];
        members = new int[maxRows];
        xe = new float[maxRows * dim];
        ge = new float[maxRows * ffn];
        ue = new float[maxRows * ffn];
        ye = new float[maxRows * dim];
    }

    /** {@code out[i·dim ..] = moe(x[i·xStride ..])} for the {@code n} rows. */
    void run(Weights.Experts w, float[] x, int xStride, int n, float[] out, MatMul mm, Parallel parallel) {
        mm.multiply(w.router(), x, xStride, n, logits, 0, count, parallel);
        for (int i = 0; i < n; i++) {
            if (w.routerBias() != null) Ops.add(logits, i * count, w.routerBias());
            route(i);
        }
        Arrays.fill(out, 0, n * dim, 0f);
        for (int e = 0; e < count; e++) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < used; k++) {
                    if (chosen[i * used + k] == e) {
                        System.arraycopy(x, i * xStride, xe, m * dim, dim);
                        members[m++] = i * used + k;
                    }
                }
            }
            if (m == 0) continue;
            mm.multiply(w.gate()[e], xe, dim, m, ge, 0, ffn, parallel);
            mm.multiply(w.up()[e], xe, dim, m, ue, 0, ffn, parallel);
            if (clamped) {
                for (int j = 0; j < m; j++) {
                    Ops.add(ge, j * ffn, w.gateBias()[e]);
                    Ops.add(ue, j * ffn, w.upBias()[e]);
                }
                Ops.clampedSwiglu(ge, ue, 0, m * ffn, OAI_ALPHA, OAI_LIMIT);
            } else {
                Ops.swiglu(ge, ue, m * ffn);
            }
            mm.multiply(w.down()[e], ge, ffn, m, ye, 0, dim, parallel);
            for (int j = 0; j < m; j++) {
                if (w.downBias() != null) Ops.add(ye, j * dim, w.downBias()[e]);
                int row = members[j] / used;
                Ops.axpy(weights[members[j]], ye, j * dim, out, row * dim, dim);
            }
        }
    }

    /** Row {@code i}'s top experts (highest logit first, the lower index on ties) and their softmax weights. */
    private void route(int i) {
        int at = i * used;
        for (int k = 0; k < used; k++) {
            int best = -1;
            for (int e = 0; e < count; e++) {
                if (isChosen(at, k, e)) continue;
                if (best < 0 || logits[i * count + e] > logits[i * count + best]) best = e;
            }
            chosen[at + k] = best;
            weights[at + k] = logits[i * count + best];
        }
        Ops.softmax(weights, at, used);
    }

    private boolean isChosen(int at, int k, int e) {
        for (int j = 0; j < k; j++) if (chosen[at + j] == e) return true;
        return false;
    }
}
