package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** bfloat16 elements: the upper 16 bits of a float32; widening is a 16-bit left shift, done in registers. */
public final class Bf16Format implements QuantFormat {
    public static final Bf16Format INSTANCE = new Bf16Format();

    private Bf16Format() {}

    /** The float whose upper half is {@code bits}. */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** {@code v} rounded to bfloat16 the way ggml does: to nearest, ties to even; NaNs stay (quiet) NaNs. */
    public static short fromFloat(float v) {
        int u = Float.floatToRawIntBits(v);
        if ((u & 0x7FFFFFFF) > 0x7F800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7FFF + ((u >>> 16) & 1))) >>> 16);
    }

    private static float read(MemorySegment s, long offset) {
        return toFloat(s.get(Blocks.I16, offset));
    }

    private static FloatVector widen(ShortVector v) {
        return v.convertShape(VectorOperators.S2I, Simd.I, 0).lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) dst[dstOffset + i] = read(src, offset + 2L * i);
    }

    @Override
    public float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += read(w, offset + 2L * i) * x[xOffset + i];
        return (float) sum;
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int fl = Simd.FL;
        FloatVector acc0 = FloatVector.zero(Simd.F);
        FloatVector acc1 = FloatVector.zero(Simd.F);
        int i = 0;
        for (; i + 2 * fl <= n; i += 2 * fl) {
            FloatVector w0 = widen(ShortVector.fromMemorySegment(Simd.S, w, offset + 2L * i, ByteOrder.LITTLE_ENDIAN));
            FloatVector w1 = widen(ShortVector.fromMemorySegment(Simd.S, w, offset + 2L * (i + fl), ByteOrder.LITTLE_ENDIAN));
            acc0 = w0.fma(FloatVector.fromArray(Simd.F, x, xOffset + i), acc0);
            acc1 = w1.fma(FloatVector.fromArray(Simd.F, x, xOffset + i + fl), acc1);
        }
        return tail(w, offset, x, xOffset, i, n, Simd.sum(acc0.add(acc1)));
    }

    /**
     * {@link #dot} of rows with four vectors, each weight chunk widened once: the same two accumulators per vector,
     * the same steps, the same bits.
     */
    @Override
    public void dot4(MemorySegment w, long offset, long rowBytes, int rows, float[] x, int xOffset, int xStride, int from,
                     int to, float[] state) {
        int fl = Simd.FL;
        int x0 = xOffset, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        for (int r = 0; r < rows; r++) {
            long row = offset + r * rowBytes;
            int s = r * FLOAT_STATE;
            FloatVector a0 = FloatVector.fromArray(Simd.F, state, s), b0 = FloatVector.fromArray(Simd.F, state, s + fl);
            FloatVector a1 = FloatVector.fromArray(Simd.F, state, s + 2 * fl), b1 = FloatVector.fromArray(Simd.F, state, s + 3 * fl);
            FloatVector a2 = FloatVector.fromArray(Simd.F, state, s + 4 * fl), b2 = FloatVector.fromArray(Simd.F, state, s + 5 * fl);
            FloatVector a3 = FloatVector.fromArray(Simd.F, state, s + 6 * fl), b3 = FloatVector.fromArray(Simd.F, state, s + 7 * fl);
            for (int i = from; i < to; i += 2 * fl) {
                FloatVector w0 = widen(ShortVector.fromMemorySegment(Simd.S, w, row + 2L * i, ByteOrder.LITTLE_ENDIAN));
                FloatVector w1 = widen(ShortVector.fromMemorySegment(Simd.S, w, row + 2L * (i + fl), ByteOrder.LITTLE_ENDIAN));
                a0 = w0.fma(FloatVector.fromArray(Simd.F, x, x0 + i), a0);
                b0 = w1.fma(FloatVector.fromArray(Simd.F, x, x0 + i + fl), b0);
                a1 = w0.fma(FloatVector.fromArray(Simd.F, x, x1 + i), a1);
                b1 = w1.fma(FloatVector.fromArray(Simd.F, x, x1 + i + fl), b1);
                a2 = w0.fma(FloatVector.fromArray(Simd.F, x, x2 + i), a2);
                b2 = w1.fma(FloatVector.fromArray(Simd.F, x, x2 + i + fl), b2);
                a3 = w0.fma(FloatVector.fromArray(Simd.F, x, x3 + i), a3);
                b3 = w1.fma(FloatVector.fromArray(Simd.F, x, x3 + i + fl), b3);
            }
            a0.intoArray(state, s);
            b0.intoArray(state, s + fl);
            a1.intoArray(state, s + 2 * fl);
            b1.intoArray(state, s + 3 * fl);
            a2.intoArray(state, s + 4 * fl);
            b2.intoArray(state, s + 5 * fl);
            a3.intoArray(state, s + 6 * fl);
            b3.intoArray(state, s + 7 * fl);
        }
    }

    @Override
    public boolean batchesFloat() {
        return true;
    }

    @Override
    public float dotResult(MemorySegment w, long rowOffset, float[] x, int xOffset, int n, float[] state, int s, int v) {
        FloatVector acc0 = FloatVector.fromArray(Simd.F, state, s + 2 * v * Simd.FL);
        FloatVector acc1 = FloatVector.fromArray(Simd.F, state, s + (2 * v + 1) * Simd.FL);
        return tail(w, rowOffset, x, xOffset, QuantFormat.dotChunked(n), n, Simd.sum(acc0.add(acc1)));
    }

    /** {@code sum} plus the products of elements {@code [from, n)} in order: the scalar end of {@link #dot}. */
    private static float tail(MemorySegment w, long offset, float[] x, int xOffset, int from, int n, float sum) {
        for (int i = from; i < n; i++) sum += read(w, offset + 2L * i) * x[xOffset + i];
        return sum;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        for (int i = 0; i < n; i++) dst.set(Blocks.I16, offset + 2L * i, fromFloat(src[srcOffset + i]));
    }
}
