package dev.junction.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * MXFP4 (the OCP microscaling FP4 format, as ggml stores it): blocks of 32 elements in 17 bytes:
 * {@code uint8 e; uint8 qs[16]}. Byte {@code j} of {@code qs} holds element {@code j}'s four-bit E2M1 code in its low
 * nibble and element {@code j+16}'s in its high nibble; an element is {@code KVALUES[code]·2^(e-128)}, where
 * {@code KVALUES} are twice the E2M1 values (0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives, so integers) and the
 * E8M0 exponent {@code e} is taken one lower to make up for it: ggml's {@code GGML_E8M0_TO_FP32_HALF}, which gives
 * 2^(e-128) for every byte, including the subnormals 2^-128 (e = 0) and 2^-127 (e = 1) and 2^127 for e = 255 (ggml
 * gives no NaN). Multiplies by Q8_0-style activations, as ggml pairs it.
 */
public final class Mxfp4Format implements QuantFormat {
    public static final Mxfp4Format INSTANCE = new Mxfp4Format();
    /** ggml's {@code kvalues_mxfp4}: twice the E2M1 values. */
    static final byte[] KVALUES = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};
    private static final int QK = 32;
    private static final int BYTES = 17;
    private static final NibbleLookup LOOKUP = new NibbleLookup(GgmlType.MXFP4, KVALUES, 1, (w, p) -> halfScale(Blocks.u8(w, p)));

    private Mxfp4Format() {}

    /** 2^(e-128), exactly (a float subnormal for e below 2). */
    static float halfScale(int e) {
        return Math.scalb(1.0f, e - 128);
    }

    @Override
    public GgmlType type() {
        return GgmlType.MXFP4;
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
     * As ggml's reference quantizer chooses the exponent: {@code e = floor(log2(max|x|)) - 2 + 127} (so the largest
     * magnitude lands on 8..16 times 2^(e-128), clamped to the largest code, 12), e = 0 for an all-zero block; each
     * element then takes the nearest code.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            int s = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            float amax = 0;
            for (int i = 0; i < QK; i++) amax = Math.max(amax, Math.abs(src[s + i]));
            int e = amax > 0 ? Math.clamp(Math.getExponent(amax) - 2 + 127, 0, 255) : 0;
            Blocks.put8(dst, p, e);
            LOOKUP.putIndices(src, s, halfScale(e), dst, p + 1);
        }
    }
}
