package dev.junction.engine.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The inner loops of {@link Attention} over one tile of {@link Attention#TILE} cached positions of one KV head (see
 * {@link KvPool} for the layout). A tile's keys and values are first copied (F32) or widened (F16) into a small float
 * buffer that stays in L1 while every query head of the group uses it. Then, per query head: the scores against the
 * tile's keys, whose positions lie across a vector so the query's elements are broadcast and no horizontal sums are
 * needed; the exponentials of the online softmax; the probability-weighted sum of the tile's values, the output
 * accumulated in registers. Enough independent accumulators are kept that the loops are bound by loads and FMAs,
 * not by FMA latency.
 *
 * <p>Every operation is lanewise ({@code fma}, {@code mul}, {@code add}, bit operations; no float reductions, no
 * {@code VectorOperators.EXP}), so a result is the same bits whether C2, C1 or the interpreter runs it: a row's
 * attention does not depend on when, or with what, it was computed.
 */
final class AttentionKernels {
    /** 8 float lanes where the CPU has 256-bit vectors or more, else 4: a tile is 2 or 4 vectors. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int TILE = Attention.TILE;

    private AttentionKernels() {}

    /** Copies {@code count} (a multiple of {@link #L}) F32 or F16 elements at byte {@code offset} to floats. */
    static void load(MemorySegment s, long offset, boolean f16, float[] to, int count) {
        if (!f16) {
            MemorySegment.copy(s, KvPool.FLOAT, offset, to, 0, count);
            return;
        }
        for (int i = 0; i < count; i += L) halves(s, offset + 2L * i).intoArray(to, i);
    }

    /**
     * {@link #L} halves at byte {@code at}, widened in registers: the sign-extended half shifted into float position
     * and masked to sign, exponent and mantissa is the float scaled by 2^-112. Exact for every finite half; an
     * infinite or NaN half (a key or value past F16's range) comes out as a large finite value.
     */
    private static FloatVector halves(MemorySegment s, long at) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, s, at, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f);
    }

    /**
     * {@code scores[o + t] = scale · q · key(t)} for the positions {@code t < n} of a tile of keys stored dimension by
     * dimension ({@code keys[d · TILE + t]}); −∞ for {@code n <= t < TILE}. Four dimensions at a time into separate
     * accumulators, added up at the end.
     */
    static void score(float[] keys, float[] q, int qOffset, int headDim, float scale, int n, float[] scores, int o) {
        for (int v = 0; v < TILE; v += 2 * L) {
            if (v >= n) {
                Arrays.fill(scores, o + v, o + TILE, Float.NEGATIVE_INFINITY);
                return;
            }
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
            int d = 0;
            for (; d + 4 <= headDim; d += 4) {
                int k = d * TILE + v;
                FloatVector q0 = FloatVector.broadcast(F, q[qOffset + d]);
                FloatVector q1 = FloatVector.broadcast(F, q[qOffset + d + 1]);
                FloatVector q2 = FloatVector.broadcast(F, q[qOffset + d + 2]);
                FloatVector q3 = FloatVector.broadcast(F, q[qOffset + d + 3]);
                a0 = FloatVector.fromArray(F, keys, k).fma(q0, a0);
                a1 = FloatVector.fromArray(F, keys, k + L).fma(q0, a1);
                b0 = FloatVector.fromArray(F, keys, k + TILE).fma(q1, b0);
                b1 = FloatVector.fromArray(F, keys, k + TILE + L).fma(q1, b1);
                c0 = FloatVector.fromArray(F, keys, k + 2 * TILE).fma(q2, c0);
                c1 = FloatVector.fromArray(F, keys, k + 2 * TILE + L).fma(q2, c1);
                e0 = FloatVector.fromArray(F, keys, k + 3 * TILE).fma(q3, e0);
                e1 = FloatVector.fromArray(F, keys, k + 3 * TILE + L).fma(q3, e1);
            }
            for (; d < headDim; d++) {
                int k = d * TILE + v;
                FloatVector q0 = FloatVector.broadcast(F, q[qOffset + d]);
                a0 = FloatVector.fromArray(F, keys, k).fma(q0, a0);
                a1 = FloatVector.fromArray(F, keys, k + L).fma(q0, a1);
            }
            a0.add(b0).add(c0.add(e0)).mul(scale).intoArray(scores, o + v);
            a1.add(b1).add(c1.add(e1)).mul(scale).intoArray(scores, o + v + L);
            mask(scores, o, v, n);
        }
    }

    /**
     * {@link #score} for four query heads at once (queries at {@code qOffset + j · headDim}, scores at
     * {@code o + j · TILE}): each key vector loaded serves four heads.
     */
    static void score4(float[] keys, float[] q, int qOffset, int headDim, float scale, int n, float[] scores, int o) {
        int q1 = qOffset + headDim, q2 = q1 + headDim, q3 = q2 + headDim;
        for (int v = 0; v < TILE; v += 2 * L) {
            if (v >= n) {
                for (int j = 0; j < 4; j++) Arrays.fill(scores, o + j * TILE + v, o + (j + 1) * TILE, Float.NEGATIVE_INFINITY);
                return;
            }
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
            for (int d = 0; d < headDim; d++) {
                int k = d * TILE + v;
                FloatVector k0 = FloatVector.fromArray(F, keys, k), k1 = FloatVector.fromArray(F, keys, k + L);
                FloatVector r = FloatVector.broadcast(F, q[qOffset + d]);
                a0 = k0.fma(r, a0);
                a1 = k1.fma(r, a1);
                r = FloatVector.broadcast(F, q[q1 + d]);
                b0 = k0.fma(r, b0);
                b1 = k1.fma(r, b1);
                r = FloatVector.broadcast(F, q[q2 + d]);
                c0 = k0.fma(r, c0);
                c1 = k1.fma(r, c1);
                r = FloatVector.broadcast(F, q[q3 + d]);
                e0 = k0.fma(r, e0);
                e1 = k1.fma(r, e1);
            }
            a0.mul(scale).intoArray(scores, o + v);
            a1.mul(scale).intoArray(scores, o + v + L);
            b0.mul(scale).intoArray(scores, o + TILE + v);
            b1.mul(scale).intoArray(scores, o + TILE + v + L);
            c0.mul(scale).intoArray(scores, o + 2 * TILE + v);
            c1.mul(scale).intoArray(scores, o + 2 * TILE + v + L);
            e0.mul(scale).intoArray(scores, o + 3 * TILE + v);
            e1.mul(scale).intoArray(scores, o + 3 * TILE + v + L);
            for (int j = 0; j < 4; j++) mask(scores, o + j * TILE, v, n);
        }
    }

    /**
     * −∞ for the positions from {@code n} on among the two vectors of scores at {@code v}. (No helper here takes or
     * returns vectors: one the JIT does not inline makes it box them.)
     */
    private static void mask(float[] scores, int o, int v, int n) {
        for (int t = Math.max(v, n); t < v + 2 * L; t++) scores[o + t] = Float.NEGATIVE_INFINITY;
    }

    /**
     * {@code out[o + i] = correction · out[o + i] + Σ_{t<n} p[pOffset + t] · values[t · headDim + i]}: a tile of
     * values stored position by position, eight vectors of the output at a time in registers.
     */
    static void accumulate(float[] values, float[] p, int pOffset, int n, float correction, int headDim, float[] out,
                           int o) {
        FloatVector c = FloatVector.broadcast(F, correction);
        int d = 0;
        for (; d + 8 * L <= headDim; d += 8 * L) {
            int a = o + d;
            FloatVector o0 = FloatVector.fromArray(F, out, a).mul(c);
            FloatVector o1 = FloatVector.fromArray(F, out, a + L).mul(c);
            FloatVector o2 = FloatVector.fromArray(F, out, a + 2 * L).mul(c);
            FloatVector o3 = FloatVector.fromArray(F, out, a + 3 * L).mul(c);
            FloatVector o4 = FloatVector.fromArray(F, out, a + 4 * L).mul(c);
            FloatVector o5 = FloatVector.fromArray(F, out, a + 5 * L).mul(c);
            FloatVector o6 = FloatVector.fromArray(F, out, a + 6 * L).mul(c);
            FloatVector o7 = FloatVector.fromArray(F, out, a + 7 * L).mul(c);
            for (int t = 0; t < n; t++) {
                int at = t * headDim + d;
                FloatVector pt = FloatVector.broadcast(F, p[pOffset + t]);
                o0 = FloatVector.fromArray(F, values, at).fma(pt, o0);
                o1 = FloatVector.fromArray(F, values, at + L).fma(pt, o1);
                o2 = FloatVector.fromArray(F, values, at + 2 * L).fma(pt, o2);
                o3 = FloatVector.fromArray(F, values, at + 3 * L).fma(pt, o3);
                o4 = FloatVector.fromArray(F, values, at + 4 * L).fma(pt, o4);
                o5 = FloatVector.fromArray(F, values, at + 5 * L).fma(pt, o5);
                o6 = FloatVector.fromArray(F, values, at + 6 * L).fma(pt, o6);
                o7 = FloatVector.fromArray(F, values, at + 7 * L).fma(pt, o7);
            }
            o0.intoArray(out, a);
            o1.intoArray(out, a + L);
            o2.intoArray(out, a + 2 * L);
            o3.intoArray(out, a + 3 * L);
            o4.intoArray(out, a + 4 * L);
            o5.intoArray(out, a + 5 * L);
            o6.intoArray(out, a + 6 * L);
            o7.intoArray(out, a + 7 * L);
        }
        accumulateFrom(d, values, p, pOffset, n, correction, headDim, out, o);
    }

    /** {@link #accumulate} for the output columns from {@code d} on. */
    private static void accumulateFrom(int d, float[] values, float[] p, int pOffset, int n, float correction,
                                       int headDim, float[] out, int o) {
        FloatVector c = FloatVector.broadcast(F, correction);
        for (; d + 2 * L <= headDim; d += 2 * L) {
            int a = o + d;
            FloatVector o0 = FloatVector.fromArray(F, out, a).mul(c);
            FloatVector o1 = FloatVector.fromArray(F, out, a + L).mul(c);
            for (int t = 0; t < n; t++) {
                int at = t * headDim + d;
                FloatVector pt = FloatVector.broadcast(F, p[pOffset + t]);
                o0 = FloatVector.fromArray(F, values, at).fma(pt, o0);
                o1 = FloatVector.fromArray(F, values, at + L).fma(pt, o1);
            }
            o0.intoArray(out, a);
            o1.intoArray(out, a + L);
        }
        for (; d < headDim; d++) {
            float acc = out[o + d] * correction;
            for (int t = 0; t < n; t++) acc = Math.fma(values[t * headDim + d], p[pOffset + t], acc);
            out[o + d] = acc;
        }
    }

    /**
     * {@link #accumulate} for four query heads at once (probabilities at {@code pOffset + j · TILE}, corrections in
     * {@code corrections[j]}, outputs at {@code o + j · headDim}): each value vector loaded serves four heads.
     */
    static void accumulate4(float[] values, float[] p, int pOffset, int n, float[] corrections, int headDim,
                            float[] out, int o) {
        int p1 = pOffset + TILE, p2 = p1 + TILE, p3 = p2 + TILE;
        int d = 0;
        for (; d + 2 * L <= headDim; d += 2 * L) {
            int a = o + d, b = a + headDim, c = b + headDim, e = c + headDim;
            FloatVector a0 = FloatVector.fromArray(F, out, a).mul(corrections[0]);
            FloatVector a1 = FloatVector.fromArray(F, out, a + L).mul(corrections[0]);
            FloatVector b0 = FloatVector.fromArray(F, out, b).mul(corrections[1]);
            FloatVector b1 = FloatVector.fromArray(F, out, b + L).mul(corrections[1]);
            FloatVector c0 = FloatVector.fromArray(F, out, c).mul(corrections[2]);
            FloatVector c1 = FloatVector.fromArray(F, out, c + L).mul(corrections[2]);
            FloatVector e0 = FloatVector.fromArray(F, out, e).mul(corrections[3]);
            FloatVector e1 = FloatVector.fromArray(F, out, e + L).mul(corrections[3]);
            for (int t = 0; t < n; t++) {
                int at = t * headDim + d;
                FloatVector v0 = FloatVector.fromArray(F, values, at), v1 = FloatVector.fromArray(F, values, at + L);
                FloatVector r = FloatVector.broadcast(F, p[pOffset + t]);
                a0 = v0.fma(r, a0);
                a1 = v1.fma(r, a1);
                r = FloatVector.broadcast(F, p[p1 + t]);
                b0 = v0.fma(r, b0);
                b1 = v1.fma(r, b1);
                r = FloatVector.broadcast(F, p[p2 + t]);
                c0 = v0.fma(r, c0);
                c1 = v1.fma(r, c1);
                r = FloatVector.broadcast(F, p[p3 + t]);
                e0 = v0.fma(r, e0);
                e1 = v1.fma(r, e1);
            }
            a0.intoArray(out, a);
            a1.intoArray(out, a + L);
            b0.intoArray(out, b);
            b1.intoArray(out, b + L);
            c0.intoArray(out, c);
            c1.intoArray(out, c + L);
            e0.intoArray(out, e);
            e1.intoArray(out, e + L);
        }
        if (d < headDim) { // the last columns, head by head
            for (int j = 0; j < 4; j++) {
                accumulateFrom(d, values, p, pOffset + j * TILE, n, corrections[j], headDim, out, o + j * headDim);
            }
        }
    }

    private static final float LOG2E = 1.44269504f, ROUNDER = 0x1.8p23f, FLOOR = -87.33654f; // ln(2^-126)
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;

    /**
     * {@code p[at + i] = e^(p[at + i] - shift)} for {@code i < n} (a multiple of the lane count), and
     * {@code sums[sumsAt ..] = sums[sumsAt ..]·correction + the results}, lane by lane. The exponential is Cephes'
     * expf for x ≤ 0 (−∞ included), within about 1 ulp: x = k·ln 2 + r with |r| ≤ ln 2 / 2, a degree-6 polynomial
     * for e^r, k put into the exponent; results below 2^-126 are flushed to 0 (next to a softmax sum of at least 1
     * they do not count). Written out in one method, taking no vectors as arguments: a helper taking a vector that
     * the JIT does not inline (it judged the call site cold once) boxes it, allocating on every step.
     */
    static void exponentiate(float[] p, int at, int n, float shift, float[] sums, int sumsAt, float correction) {
        FloatVector sum = FloatVector.fromArray(F, sums, sumsAt).mul(correction);
        for (int i = at; i < at + n; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, p, i).sub(shift);
            VectorMask<Float> tiny = x.compare(VectorOperators.LT, FLOOR);
            x = x.max(FLOOR);
            FloatVector shifted = x.fma(LOG2E, ROUNDER); // round(x·log2 e) in the low mantissa bits
            FloatVector k = shifted.sub(ROUNDER);
            FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), x);
            r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
            FloatVector poly = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
            poly = poly.fma(r, FloatVector.broadcast(F, 8.3334519073e-3f));
            poly = poly.fma(r, FloatVector.broadcast(F, 4.1665795894e-2f));
            poly = poly.fma(r, FloatVector.broadcast(F, 1.6666665459e-1f));
            poly = poly.fma(r, FloatVector.broadcast(F, 5.0000001201e-1f));
            FloatVector y = poly.fma(r.mul(r), r.add(1f));
            FloatVector scale = shifted.reinterpretAsInts().add(127 - 0x4B400000).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            FloatVector e = y.mul(scale).blend(0f, tiny);
            e.intoArray(p, i);
            sum = sum.add(e);
        }
        sum.intoArray(sums, sumsAt);
    }
}
