package dev.junction.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * IQ4_NL: blocks of 32 elements in 18 bytes: {@code half d; uint8 qs[16]}. Byte {@code j} of {@code qs} holds element
 * {@code j}'s index in its low nibble and element {@code j+16}'s in its high nibble; an element is
 * {@code d·KVALUES[index]}, a non-linear table (ggml's {@code kvalues_iq4nl}) denser near zero. Multiplies by
 * Q8_0-style activations, as ggml pairs it.
 */
public final class IQ4_NLFormat implements QuantFormat {
    public static final IQ4_NLFormat INSTANCE = new IQ4_NLFormat();
    /** ggml's {@code kvalues_iq4nl}, also IQ4_XS's table. */
    static final byte[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    private static final int QK = 32;
    private static final int BYTES = 18;
    static final NibbleLookup LOOKUP = new NibbleLookup(GgmlType.IQ4_NL, KVALUES, 2, Fp16::read);

    private IQ4_NLFormat() {}

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        LOOKUP.dequantize(src, offset, dst, dstOffset, n);
    }

    @Override
    public boolean quantizesActivations() {
        return true;
    }

    @Override
    public float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        return LOOKUP.dotQuantizedReference(w, offset, x, n);
    }

    @Override
    public float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        return LOOKUP.dotQuantized(w, offset, x, n);
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        return LOOKUP.dot(w, offset, x, xOffset, n);
    }

    /**
     * Per block: the scale that maps the largest-magnitude element to -127, the nearest table entries for it, then
     * the least-squares scale for those entries ({@link #bestScale}) where that lowers the error. Simpler than ggml's
     * search over several starting scales.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            int s = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            Fp16.write(dst, p, bestScale(LOOKUP, src, s, QK));
            LOOKUP.putIndices(src, s, Fp16.read(dst, p), dst, p + 2);
        }
    }

    /**
     * A scale for the {@code count} elements {@code src[s ..]} against the table of {@code lookup}: the largest
     * magnitude mapped to entry 0, or the least-squares refit {@code Σ x·t / Σ t²} of the entries nearest that scale
     * where it gives the smaller squared error.
     */
    static float bestScale(NibbleLookup lookup, float[] src, int s, int count) {
        float amax = 0, max = 0;
        for (int i = 0; i < count; i++) {
            if (amax < Math.abs(src[s + i])) {
                amax = Math.abs(src[s + i]);
                max = src[s + i];
            }
        }
        if (amax == 0) return 0;
        float d0 = max / lookup.value(0);
        double xt = 0, tt = 0;
        for (int i = 0; i < count; i++) {
            int t = lookup.value(lookup.nearest(src[s + i] / d0));
            xt += (double) src[s + i] * t;
            tt += (double) t * t;
        }
        float d1 = tt > 0 ? (float) (xt / tt) : d0;
        return squaredError(lookup, src, s, count, d1) < squaredError(lookup, src, s, count, d0) ? d1 : d0;
    }

    private static double squaredError(NibbleLookup lookup, float[] src, int s, int count, float d) {
        if (d == 0) return Double.MAX_VALUE;
        double err = 0;
        for (int i = 0; i < count; i++) {
            double e = src[s + i] - (double) d * lookup.value(lookup.nearest(src[s + i] / d));
            err += e * e;
        }
        return err;
    }
}
