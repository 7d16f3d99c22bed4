package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** Plain little-endian float32 elements. */
public final class F32Format implements QuantFormat {
    public static final F32Format INSTANCE = new F32Format();

    private F32Format() {}

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        MemorySegment.copy(src, Blocks.F32, offset, dst, dstOffset, n);
    }

    @Override
    public float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += w.get(Blocks.F32, offset + 4L * i) * x[xOffset + i];
        return (float) sum;
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int fl = Simd.FL;
        FloatVector acc0 = FloatVector.zero(Simd.F);
        FloatVector acc1 = FloatVector.zero(Simd.F);
        int i = 0;
        for (; i + 2 * fl <= n; i += 2 * fl) {
            FloatVector w0 = FloatVector.fromMemorySegment(Simd.F, w, offset + 4L * i, ByteOrder.LITTLE_ENDIAN);
            FloatVector w1 = FloatVector.fromMemorySegment(Simd.F, w, offset + 4L * (i + fl), ByteOrder.LITTLE_ENDIAN);
            acc0 = w0.fma(FloatVector.fromArray(Simd.F, x, xOffset + i), acc0);
            acc1 = w1.fma(FloatVector.fromArray(Simd.F, x, xOffset + i + fl), acc1);
        }
        float sum = Simd.sum(acc0.add(acc1));
        for (; i < n; i++) sum += w.get(Blocks.F32, offset + 4L * i) * x[xOffset + i];
        return sum;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        MemorySegment.copy(src, srcOffset, dst, Blocks.F32, offset, n);
    }
}
