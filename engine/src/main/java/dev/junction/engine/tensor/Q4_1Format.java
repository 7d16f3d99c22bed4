package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q4_1: blocks of 32 elements in 20 bytes: {@code half d; half m; uint8 qs[16]}. Nibbles are placed as in Q4_0;
 * an element is {@code nibble * d + m}.
 */
public final class Q4_1Format implements QuantFormat {
    public static final Q4_1Format INSTANCE = new Q4_1Format();
    private static final int QK = 32;
    private static final int BYTES = 20;

    private Q4_1Format() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p);
            float m = Fp16.read(src, p + 2);
            int y = dstOffset + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, p + 4 + j);
                dst[y + j] = (q & 0xF) * d + m;
                dst[y + j + QK / 2] = (q >>> 4) * d + m;
            }
        }
    }

    @Override
    public boolean quantizesActivations() {
        return true;
    }

    /** Σ (q·d + m)·(a·dx) = d·dx·Σ q·a + m·dx·Σ a, the second sum kept with the activations. */
    @Override
    public float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int sumi = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(w, p + 4 + j);
                sumi += (q & 0xF) * x.qs[b * QK + j] + (q >>> 4) * x.qs[b * QK + j + QK / 2];
            }
            sum += sumi * (Fp16.read(w, p) * x.d[b]) + Fp16.read(w, p + 2) * (x.d[b] * x.sums[b]);
        }
        return sum;
    }

    @Override
    public float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        short[] xq = x.qs;
        float[] xd = x.d;
        int[] xs = x.sums;
        FloatVector acc = FloatVector.zero(IntDot.F);
        float mins = 0;
        for (int b = 0; b < nb; b++) { // small enough for C2 to inline the IntDot helpers: see QuantFormat
            long p = offset + (long) b * BYTES;
            int xi = b * QK;
            ShortVector s = ShortVector.zero(IntDot.S);
            for (int j = 0; j < QK / 2; j += IntDot.SL) {
                ShortVector q = IntDot.widen(ByteVector.fromMemorySegment(IntDot.B, w, p + 4 + j, ByteOrder.LITTLE_ENDIAN));
                ShortVector lo = q.and((short) 0xF);
                ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF);
                s = s.add(lo.mul(ShortVector.fromArray(IntDot.S, xq, xi + j)))
                        .add(hi.mul(ShortVector.fromArray(IntDot.S, xq, xi + j + QK / 2)));
            }
            acc = IntDot.scaled(s, Fp16.read(w, p) * xd[b], acc);
            mins += Fp16.read(w, p + 2) * (xd[b] * xs[b]);
        }
        return IntDot.sum(acc) + mins;
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        FloatVector acc = FloatVector.zero(Simd.F);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int xb = xOffset + b * QK;
            // Σ (q·d + m)·x = d·Σ q·x + m·Σ x
            FloatVector qx = FloatVector.zero(Simd.F);
            FloatVector sx = FloatVector.zero(Simd.F);
            for (int j = 0; j < QK / 2; j += Simd.BL) {
                ByteVector q = ByteVector.fromMemorySegment(Simd.B, w, p + 4 + j, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0xF);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
                for (int part = 0; part < Simd.PARTS; part++) {
                    int xi = xb + j + part * Simd.FL;
                    FloatVector x0 = FloatVector.fromArray(Simd.F, x, xi);
                    FloatVector x1 = FloatVector.fromArray(Simd.F, x, xi + QK / 2);
                    qx = Simd.toFloat(lo, part).fma(x0, qx);
                    qx = Simd.toFloat(hi, part).fma(x1, qx);
                    sx = sx.add(x0).add(x1);
                }
            }
            acc = qx.fma(FloatVector.broadcast(Simd.F, Fp16.read(w, p)), acc);
            acc = sx.fma(FloatVector.broadcast(Simd.F, Fp16.read(w, p + 2)), acc);
        }
        return Simd.sum(acc);
    }

    /**
     * As ggml's {@code quantize_row_q4_1_ref}: {@code m = min x}, {@code d = (max - min) / 15},
     * nibble {@code = min(15, trunc((x - m)/d + 0.5))}.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            int s = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                min = Math.min(min, src[s + j]);
                max = Math.max(max, src[s + j]);
            }
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Fp16.write(dst, p, d);
            Fp16.write(dst, p + 2, min);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (int) ((src[s + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (int) ((src[s + j + QK / 2] - min) * id + 0.5f));
                Blocks.put8(dst, p + 4 + j, q0 | (q1 << 4));
            }
        }
    }
}
