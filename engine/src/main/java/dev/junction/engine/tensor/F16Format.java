package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** IEEE half-precision elements; the fast dot widens halves to floats in registers ({@link Fp16#toFloatFinite}). */
public final class F16Format implements QuantFormat {
    public static final F16Format INSTANCE = new F16Format();

    private F16Format() {}

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) dst[dstOffset + i] = Fp16.read(src, offset + 2L * i);
    }

    @Override
    public float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Fp16.read(w, offset + 2L * i) * x[xOffset + i];
        return (float) sum;
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int fl = Simd.FL;
        FloatVector acc0 = FloatVector.zero(Simd.F);
        FloatVector acc1 = FloatVector.zero(Simd.F);
        int i = 0;
        for (; i + 2 * fl <= n; i += 2 * fl) {
            FloatVector w0 = Fp16.toFloatFinite(ShortVector.fromMemorySegment(Simd.S, w, offset + 2L * i, ByteOrder.LITTLE_ENDIAN));
            FloatVector w1 = Fp16.toFloatFinite(ShortVector.fromMemorySegment(Simd.S, w, offset + 2L * (i + fl), ByteOrder.LITTLE_ENDIAN));
            acc0 = w0.fma(FloatVector.fromArray(Simd.F, x, xOffset + i), acc0);
            acc1 = w1.fma(FloatVector.fromArray(Simd.F, x, xOffset + i + fl), acc1);
        }
        return tail(w, offset, x, xOffset, i, n, Simd.sum(acc0.add(acc1)));
    }

    /**
     * {@link #dot} of one row with four vectors, each weight chunk widened once: the same two accumulators per
     * vector, the same steps, the same bits.
     */
    @Override
    public void dot4(MemorySegment w, long offset, float[] x, int xOffset, int xStride, int n, float[] out, int outOffset,
                     int outStride) {
        int fl = Simd.FL;
        int x0 = xOffset, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        FloatVector a0 = FloatVector.zero(Simd.F), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
        int i = 0;
        for (; i + 2 * fl <= n; i += 2 * fl) {
            FloatVector w0 = Fp16.toFloatFinite(ShortVector.fromMemorySegment(Simd.S, w, offset + 2L * i, ByteOrder.LITTLE_ENDIAN));
            FloatVector w1 = Fp16.toFloatFinite(ShortVector.fromMemorySegment(Simd.S, w, offset + 2L * (i + fl), ByteOrder.LITTLE_ENDIAN));
            a0 = w0.fma(FloatVector.fromArray(Simd.F, x, x0 + i), a0);
            b0 = w1.fma(FloatVector.fromArray(Simd.F, x, x0 + i + fl), b0);
            a1 = w0.fma(FloatVector.fromArray(Simd.F, x, x1 + i), a1);
            b1 = w1.fma(FloatVector.fromArray(Simd.F, x, x1 + i + fl), b1);
            a2 = w0.fma(FloatVector.fromArray(Simd.F, x, x2 + i), a2);
            b2 = w1.fma(FloatVector.fromArray(Simd.F, x, x2 + i + fl), b2);
            a3 = w0.fma(FloatVector.fromArray(Simd.F, x, x3 + i), a3);
            b3 = w1.fma(FloatVector.fromArray(Simd.F, x, x3 + i + fl), b3);
        }
        out[outOffset] = tail(w, offset, x, x0, i, n, Simd.sum(a0.add(b0)));
        out[outOffset + outStride] = tail(w, offset, x, x1, i, n, Simd.sum(a1.add(b1)));
        out[outOffset + 2 * outStride] = tail(w, offset, x, x2, i, n, Simd.sum(a2.add(b2)));
        out[outOffset + 3 * outStride] = tail(w, offset, x, x3, i, n, Simd.sum(a3.add(b3)));
    }

    /** {@code sum} plus the products of elements {@code [from, n)} in order: the scalar end of {@link #dot}. */
    private static float tail(MemorySegment w, long offset, float[] x, int xOffset, int from, int n, float sum) {
        for (int i = from; i < n; i++) sum += Fp16.read(w, offset + 2L * i) * x[xOffset + i];
        return sum;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        for (int i = 0; i < n; i++) Fp16.write(dst, offset + 2L * i, src[srcOffset + i]);
    }
}
