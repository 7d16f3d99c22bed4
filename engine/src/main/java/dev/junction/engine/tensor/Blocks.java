package dev.junction.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian layouts and small helpers shared by the block formats. */
final class Blocks {
    private Blocks() {}

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The unsigned byte at {@code offset}. */
    static int u8(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** The signed byte at {@code offset}. */
    static int i8(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset);
    }

    static void put8(MemorySegment s, long offset, int v) {
        s.set(ValueLayout.JAVA_BYTE, offset, (byte) v);
    }

    /** Number of blocks in {@code n} elements; fails when {@code n} is not a whole number of blocks. */
    static int blocks(GgmlType type, int n) {
        if (n < 0 || n % type.blockSize != 0) {
            throw new IllegalArgumentException(type + " needs a multiple of " + type.blockSize + " elements, got " + n);
        }
        return n / type.blockSize;
    }

    /**
     * The reference dot product: dequantize one block at a time with the format's scalar {@code dequantize}, then
     * multiply in float and sum (in double, so the oracle is more accurate than any fast path).
     */
    static float dotByDequantizing(QuantFormat f, MemorySegment w, long offset, float[] x, int xOffset, int n) {
        GgmlType t = f.type();
        int nb = blocks(t, n);
        float[] tmp = new float[t.blockSize];
        double sum = 0;
        for (int b = 0; b < nb; b++) {
            f.dequantize(w, offset + (long) b * t.blockBytes, tmp, 0, t.blockSize);
            int xb = xOffset + b * t.blockSize;
            for (int i = 0; i < t.blockSize; i++) sum += tmp[i] * x[xb + i];
        }
        return (float) sum;
    }

    /** C's {@code roundf}: nearest integer, halves away from zero. */
    static int roundHalfAway(float v) {
        return (int) (v >= 0 ? Math.floor((double) v + 0.5) : -Math.floor(-(double) v + 0.5));
    }

    /** ggml's {@code nearest_int}: nearest integer, halves to even. */
    static int nearestEven(float v) {
        return (int) Math.rint(v);
    }
}
