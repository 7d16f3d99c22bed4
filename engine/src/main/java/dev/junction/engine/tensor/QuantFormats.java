package dev.junction.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Registry of the {@link QuantFormat} implementations, one per supported {@link GgmlType}. */
final class QuantFormats {
    private QuantFormats() {}

    // TEMPORARY scalar F32 until the tensor package lands
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final QuantFormat F32 = new QuantFormat() {
        public GgmlType type() { return GgmlType.F32; }
        public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
            for (int i = 0; i < n; i++) dst[dstOffset + i] = src.get(F, offset + 4L * i);
        }
        public float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
            float s = 0; for (int i = 0; i < n; i++) s += w.get(F, offset + 4L * i) * x[xOffset + i]; return s;
        }
        public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) { return dotReference(w, offset, x, xOffset, n); }
        public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
            for (int i = 0; i < n; i++) dst.set(F, offset + 4L * i, src[srcOffset + i]);
        }
    };

    static QuantFormat of(GgmlType type) {
        if (type == GgmlType.F32) return F32;
        throw new UnsupportedOperationException("no kernels for tensor type " + type);
    }
}
