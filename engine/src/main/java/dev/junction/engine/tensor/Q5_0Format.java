package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q5_0: blocks of 32 elements in 22 bytes: {@code half d; uint8 qh[4]; uint8 qs[16]}. The low four bits of element
 * {@code i} are placed as in Q4_0; its fifth bit is bit {@code i} of the little-endian 32-bit {@code qh}. An element
 * is {@code (q - 16) * d}.
 */
public final class Q5_0Format implements QuantFormat {
    public static final Q5_0Format INSTANCE = new Q5_0Format();
    private static final int QK = 32;
    private static final int BYTES = 22;
    private static final long LANE_BITS = (1L << Simd.BL) - 1;

    private Q5_0Format() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p);
            int qh = src.get(Blocks.I32, p + 2);
            int y = dstOffset + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, p + 6 + j);
                int q0 = (q & 0xF) | (((qh >>> j) & 1) << 4);
                int q1 = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                dst[y + j] = (q0 - 16) * d;
                dst[y + j + QK / 2] = (q1 - 16) * d;
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
            int qh = w.get(Blocks.I32, p + 2);
            int sumi = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(w, p + 6 + j);
                int q0 = ((q & 0xF) | (((qh >>> j) & 1) << 4)) - 16;
                int q1 = ((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16;
                sumi += q0 * x.qs[b * QK + j] + q1 * x.qs[b * QK + j + QK / 2];
            }
            sum += sumi * (Fp16.read(w, p) * x.d[b]);
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
        FloatVector acc = FloatVector.zero(IntDot.F);
        for (int b = 0; b < nb; b++) { // small enough for C2 to inline the IntDot helpers: see QuantFormat
            long p = offset + (long) b * BYTES;
            int xi = b * QK, qh = w.get(Blocks.I32, p + 2);
            ShortVector s = ShortVector.zero(IntDot.S);
            for (int j = 0; j < QK / 2; j += IntDot.SL) {
                ShortVector q = IntDot.widen(ByteVector.fromMemorySegment(IntDot.B, w, p + 6 + j, ByteOrder.LITTLE_ENDIAN));
                ShortVector lo = q.and((short) 0xF).or(IntDot.bitTimes16(qh >>> j, bits)).sub((short) 16);
                ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF)
                        .or(IntDot.bitTimes16(qh >>> (j + 16), bits)).sub((short) 16);
                s = s.add(lo.mul(ShortVector.fromArray(IntDot.S, xq, xi + j)))
                        .add(hi.mul(ShortVector.fromArray(IntDot.S, xq, xi + j + QK / 2)));
            }
            acc = IntDot.scaled(s, Fp16.read(w, p) * xd[b], acc);
        }
        return IntDot.sum(acc);
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        FloatVector acc = FloatVector.zero(Simd.F);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int xb = xOffset + b * QK;
            long qh = w.get(Blocks.I32, p + 2) & 0xFFFFFFFFL;
            FloatVector block = FloatVector.zero(Simd.F);
            for (int j = 0; j < QK / 2; j += Simd.BL) {
                ByteVector q = ByteVector.fromMemorySegment(Simd.B, w, p + 6 + j, ByteOrder.LITTLE_ENDIAN);
                // the fifth bit: a lane mask straight from the qh bits of these elements
                VectorMask<Byte> h0 = VectorMask.fromLong(Simd.B, (qh >>> j) & LANE_BITS);
                VectorMask<Byte> h1 = VectorMask.fromLong(Simd.B, (qh >>> (j + 16)) & LANE_BITS);
                ByteVector lo = q.and((byte) 0xF).lanewise(VectorOperators.OR, (byte) 16, h0).sub((byte) 16);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.OR, (byte) 16, h1)
                        .sub((byte) 16);
                for (int part = 0; part < Simd.PARTS; part++) {
                    int xi = xb + j + part * Simd.FL;
                    block = Simd.toFloat(lo, part).fma(FloatVector.fromArray(Simd.F, x, xi), block);
                    block = Simd.toFloat(hi, part).fma(FloatVector.fromArray(Simd.F, x, xi + QK / 2), block);
                }
            }
            acc = block.fma(FloatVector.broadcast(Simd.F, Fp16.read(w, p)), acc);
        }
        return Simd.sum(acc);
    }

    /**
     * As ggml's {@code quantize_row_q5_0_ref}: {@code d = m / -16} where {@code m} is the element of largest
     * magnitude, {@code q = min(31, trunc(x/d + 16.5))}.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            int s = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            float amax = 0, max = 0;
            for (int j = 0; j < QK; j++) {
                float v = src[s + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Fp16.write(dst, p, d);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(31, (int) (src[s + j] * id + 16.5f));
                int q1 = Math.min(31, (int) (src[s + j + QK / 2] * id + 16.5f));
                Blocks.put8(dst, p + 6 + j, (q0 & 0xF) | ((q1 & 0xF) << 4));
                qh |= ((q0 >>> 4) & 1) << j;
                qh |= ((q1 >>> 4) & 1) << (j + 16);
            }
            dst.set(Blocks.I32, p + 2, qh);
        }
    }
}
