package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q5_1: blocks of 32 elements in 24 bytes: {@code half d; half m; uint8 qh[4]; uint8 qs[16]}. Bits are placed as
 * in Q5_0; an element is {@code q * d + m}.
 */
public final class Q5_1Format implements QuantFormat {
    public static final Q5_1Format INSTANCE = new Q5_1Format();
    private static final int QK = 32;
    private static final int BYTES = 24;
    private static final long LANE_BITS = (1L << Simd.BL) - 1;

    private Q5_1Format() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p);
            float m = Fp16.read(src, p + 2);
            int qh = src.get(Blocks.I32, p + 4);
            int y = dstOffset + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, p + 8 + j);
                int q0 = (q & 0xF) | (((qh >>> j) & 1) << 4);
                int q1 = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                dst[y + j] = q0 * d + m;
                dst[y + j + QK / 2] = q1 * d + m;
            }
        }
    }

    @Override
    public boolean quantizesActivations() {
        return true;
    }

    @Override
    public float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int qh = w.get(Blocks.I32, p + 4);
            int sumi = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(w, p + 8 + j);
                int q0 = ((q & 0xF) | (((qh >>> j) & 1) << 4));
                int q1 = ((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4));
                sumi += q0 * x.qs[b * QK + j] + q1 * x.qs[b * QK + j + QK / 2];
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
        ShortVector bits = ShortVector.fromArray(IntDot.S, IntDot.LANE_BIT, 0);
        int[] xs = x.sums;
        FloatVector acc = FloatVector.zero(IntDot.F);
        float mins = 0;
        for (int b = 0; b < nb; b++) { // small enough for C2 to inline the IntDot helpers: see QuantFormat
            long p = offset + (long) b * BYTES;
            int xi = b * QK, qh = w.get(Blocks.I32, p + 4);
            ShortVector s = ShortVector.zero(IntDot.S);
            for (int j = 0; j < QK / 2; j += IntDot.SL) {
                ShortVector q = IntDot.widen(ByteVector.fromMemorySegment(IntDot.B, w, p + 8 + j, ByteOrder.LITTLE_ENDIAN));
                ShortVector lo = q.and((short) 0xF).or(IntDot.bitTimes16(qh >>> j, bits));
                ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).or(IntDot.bitTimes16(qh >>> (j + 16), bits));
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
            long qh = w.get(Blocks.I32, p + 4) & 0xFFFFFFFFL;
            // Σ (q·d + m)·x = d·Σ q·x + m·Σ x
            FloatVector qx = FloatVector.zero(Simd.F);
            FloatVector sx = FloatVector.zero(Simd.F);
            for (int j = 0; j < QK / 2; j += Simd.BL) {
                ByteVector q = ByteVector.fromMemorySegment(Simd.B, w, p + 8 + j, ByteOrder.LITTLE_ENDIAN);
                VectorMask<Byte> h0 = VectorMask.fromLong(Simd.B, (qh >>> j) & LANE_BITS);
                VectorMask<Byte> h1 = VectorMask.fromLong(Simd.B, (qh >>> (j + 16)) & LANE_BITS);
                ByteVector lo = q.and((byte) 0xF).lanewise(VectorOperators.OR, (byte) 16, h0);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.OR, (byte) 16, h1);
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
     * As ggml's {@code quantize_row_q5_1_ref}: {@code m = min x}, {@code d = (max - min) / 31},
     * {@code q = trunc((x - m)/d + 0.5)}.
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
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Fp16.write(dst, p, d);
            Fp16.write(dst, p + 2, min);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(31, (int) ((src[s + j] - min) * id + 0.5f));
                int q1 = Math.min(31, (int) ((src[s + j + QK / 2] - min) * id + 0.5f));
                Blocks.put8(dst, p + 8 + j, (q0 & 0xF) | ((q1 & 0xF) << 4));
                qh |= ((q0 >>> 4) & 1) << j;
                qh |= ((q1 >>> 4) & 1) << (j + 16);
            }
            dst.set(Blocks.I32, p + 4, qh);
        }
    }
}
