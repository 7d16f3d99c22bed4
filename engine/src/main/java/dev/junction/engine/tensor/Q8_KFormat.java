package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q8_K: super-blocks of 256 elements in 292 bytes: {@code float d; int8 qs[256]; int16 bsums[16]}; element {@code i}
 * is {@code qs[i] * d}, and {@code bsums[j]} is the sum of {@code qs[16j .. 16j+15]}. ggml uses it for quantized
 * activations in the K-quant integer dot products; the bsums are not needed to dequantize.
 */
public final class Q8_KFormat implements QuantFormat {
    public static final Q8_KFormat INSTANCE = new Q8_KFormat();
    private static final int QK = KQuants.QK_K;
    private static final int BYTES = 292;
    private static final int QS = 4, BSUMS = 260;

    private Q8_KFormat() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q8_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = src.get(Blocks.F32, p);
            int y = dstOffset + b * QK;
            for (int j = 0; j < QK; j++) dst[y + j] = d * Blocks.i8(src, p + QS + j);
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
            int sumi = 0;
            for (int j = 0; j < QK; j++) sumi += Blocks.i8(w, p + QS + j) * x.qs[b * QK + j];
            sum += sumi * (w.get(Blocks.F32, p) * x.d[b]);
        }
        return sum;
    }

    @Override
    public float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        FloatVector acc = FloatVector.zero(IntDot.F);
        short[] xq = x.qs;
        for (int b = 0; b < nb; b++) { // small enough for C2 to inline the IntDot helpers: see QuantFormat
            long p = offset + (long) b * BYTES;
            int xi = b * QK;
            IntVector isum = IntVector.zero(IntDot.I);
            for (int j = 0; j < QK; j += 2 * IntDot.SL) {
                ShortVector p0 = IntDot.widen(ByteVector.fromMemorySegment(IntDot.B, w, p + QS + j, ByteOrder.LITTLE_ENDIAN))
                        .mul(ShortVector.fromArray(IntDot.S, xq, xi + j));
                ShortVector p1 = IntDot.widen(ByteVector.fromMemorySegment(IntDot.B, w, p + QS + j + IntDot.SL, ByteOrder.LITTLE_ENDIAN))
                        .mul(ShortVector.fromArray(IntDot.S, xq, xi + j + IntDot.SL));
                isum = isum.add(IntDot.pairSum(p0.add(p1)));
            }
            FloatVector f = (FloatVector) isum.convert(VectorOperators.I2F, 0);
            acc = f.fma(FloatVector.broadcast(IntDot.F, w.get(Blocks.F32, p) * x.d[b]), acc);
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
            FloatVector block0 = FloatVector.zero(Simd.F);
            FloatVector block1 = FloatVector.zero(Simd.F);
            for (int j = 0; j < QK; j += 2 * Simd.BL) {
                ByteVector q0 = ByteVector.fromMemorySegment(Simd.B, w, p + QS + j, ByteOrder.LITTLE_ENDIAN);
                ByteVector q1 = ByteVector.fromMemorySegment(Simd.B, w, p + QS + j + Simd.BL, ByteOrder.LITTLE_ENDIAN);
                for (int part = 0; part < Simd.PARTS; part++) {
                    int xi = xb + j + part * Simd.FL;
                    block0 = Simd.toFloat(q0, part).fma(FloatVector.fromArray(Simd.F, x, xi), block0);
                    block1 = Simd.toFloat(q1, part).fma(FloatVector.fromArray(Simd.F, x, xi + Simd.BL), block1);
                }
            }
            acc = block0.add(block1).fma(FloatVector.broadcast(Simd.F, w.get(Blocks.F32, p)), acc);
        }
        return Simd.sum(acc);
    }

    /**
     * As ggml's {@code quantize_row_q8_K_ref}: with {@code m} the element of largest magnitude,
     * {@code q = min(127, nearest(-127/m · x))}, {@code d = 1 / (-127/m)}, plus the 16-element sums.
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
                if (Math.abs(v) > amax) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float iscale = amax != 0 ? -127.0f / max : 0;
            dst.set(Blocks.F32, p, amax != 0 ? 1 / iscale : 0);
            for (int j = 0; j < QK / 16; j++) {
                int sum = 0;
                for (int i = 0; i < 16; i++) {
                    int q = amax != 0 ? Math.min(127, Blocks.nearestEven(iscale * src[s + 16 * j + i])) : 0;
                    Blocks.put8(dst, p + QS + 16 * j + i, q);
                    sum += q;
                }
                dst.set(Blocks.I16, p + BSUMS + 2L * j, (short) sum);
            }
        }
    }
}
