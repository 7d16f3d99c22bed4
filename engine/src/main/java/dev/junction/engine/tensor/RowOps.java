package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * {@code y += alpha · row} for rows stored in a segment as F32 or F16: the value half of attention over a KV cache
 * kept off-heap. (The key half is a plain {@link QuantFormat#dot}.)
 */
public final class RowOps {
    private RowOps() {}

    /** {@code y[yOffset + i] += alpha · row[i]} for {@code n} F32 elements at byte {@code offset}. */
    public static void axpyF32(float alpha, MemorySegment row, long offset, float[] y, int yOffset, int n) {
        FloatVector a = FloatVector.broadcast(Simd.F, alpha);
        int i = 0;
        for (int upper = Simd.F.loopBound(n); i < upper; i += Simd.FL) {
            FloatVector.fromMemorySegment(Simd.F, row, offset + 4L * i, ByteOrder.LITTLE_ENDIAN)
                    .fma(a, FloatVector.fromArray(Simd.F, y, yOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) y[yOffset + i] += alpha * row.get(Blocks.F32, offset + 4L * i);
    }

    /** {@code y[yOffset + i] += alpha · row[i]} for {@code n} F16 elements at byte {@code offset}. */
    public static void axpyF16(float alpha, MemorySegment row, long offset, float[] y, int yOffset, int n) {
        FloatVector a = FloatVector.broadcast(Simd.F, alpha);
        int i = 0;
        for (int upper = Simd.F.loopBound(n); i < upper; i += Simd.FL) {
            ShortVector halves = ShortVector.fromMemorySegment(Simd.S, row, offset + 2L * i, ByteOrder.LITTLE_ENDIAN);
            Fp16.toFloatFinite(halves).fma(a, FloatVector.fromArray(Simd.F, y, yOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) y[yOffset + i] += alpha * Fp16.read(row, offset + 2L * i);
    }
}
