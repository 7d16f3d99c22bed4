package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

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
    public void expand(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int i = 0;
        for (int upper = Simd.F.loopBound(n); i < upper; i += Simd.FL) {
            Fp16.toFloatFinite(ShortVector.fromMemorySegment(Simd.S, src, offset + 2L * i, ByteOrder.LITTLE_ENDIAN))
                    .intoArray(dst, dstOffset + i);
        }
        for (; i < n; i++) dst[dstOffset + i] = Fp16.read(src, offset + 2L * i);
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
        float sum = Simd.sum(acc0.add(acc1));
        for (; i < n; i++) sum += Fp16.read(w, offset + 2L * i) * x[xOffset + i];
        return sum;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        for (int i = 0; i < n; i++) Fp16.write(dst, offset + 2L * i, src[srcOffset + i]);
    }
}
