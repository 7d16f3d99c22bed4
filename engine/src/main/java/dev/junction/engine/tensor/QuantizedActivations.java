package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * One activation vector quantized to 8-bit blocks, as ggml does before its integer dot products: quantized once per
 * step, then multiplied against every row of every weight matrix that reads it ({@link QuantFormat#dotQuantized}).
 *
 * <p>Two layouts, chosen by the weight format ({@link #forFormat}):
 * <ul>
 *   <li>blocks of 32 (for Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, MXFP4), as ggml's {@code quantize_row_q8_0_ref}: {@code d = max|x|/127}
 *       rounded to fp16 (ggml stores it as a half), {@code q = roundf(x/d)}; plus each block's sum of {@code q}
 *       (what Q4_1/Q5_1 mins need, the {@code s} of ggml's Q8_1);</li>
 *   <li>blocks of 256 (for Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_XS), as {@code quantize_row_q8_K_ref}: with {@code m} the element of
 *       largest magnitude, {@code q = min(127, nearest(-127/m·x))}, {@code d = 1/(-127/m)} (a float); plus the sum
 *       of each 16 {@code q}s ({@code bsums}, for the K-quant mins).</li>
 * </ul>
 * The int8 values are kept widened to int16 so that the kernels load them straight into 16-bit multiplies.
 * Instances are allocated once with a capacity and reused; they are not thread-safe while being quantized, and
 * may be read by many threads afterwards.
 */
public final class QuantizedActivations {
    private static final float ROUND_MAGIC = 12582912.0f; // 1.5·2^23: x + M - M rounds |x| < 2^22 to nearest even

    private final int blockSize;
    private final int capacity;
    /** The quantized values, {@code -127..127}. */
    final short[] qs;
    /** The scale of each block. */
    final float[] d;
    /** Blocks of 32: the sum of each block's {@code qs}; blocks of 256: the sum of each 16 {@code qs}. */
    final int[] sums;
    /** Blocks of 256 only: the sum of each 32 {@code qs} (pairs of {@link #sums}), for the Q4_K/Q5_K mins. */
    final int[] sums32;
    private int length;

    private QuantizedActivations(int blockSize, int maxElements) {
        if (maxElements < 0) throw new IllegalArgumentException("negative capacity " + maxElements);
        this.blockSize = blockSize;
        this.capacity = Math.ceilDiv(maxElements, blockSize) * blockSize;
        this.qs = new short[capacity];
        this.d = new float[capacity / blockSize];
        this.sums = new int[blockSize == 32 ? capacity / 32 : capacity / 16];
        this.sums32 = new int[blockSize == 32 ? 0 : capacity / 32];
    }

    /** Q8_0-style activations (blocks of 32) for up to {@code maxElements} elements. */
    public static QuantizedActivations q8_0(int maxElements) {
        return new QuantizedActivations(32, maxElements);
    }

    /** Q8_K-style activations (blocks of 256, with 16-element sums) for up to {@code maxElements} elements. */
    public static QuantizedActivations q8_K(int maxElements) {
        return new QuantizedActivations(KQuants.QK_K, maxElements);
    }

    /**
     * Activations laid out the way {@code weights}' {@link QuantFormat#dotQuantized} reads them; throws
     * {@link IllegalArgumentException} for a format that does not quantize its activations.
     */
    public static QuantizedActivations forFormat(QuantFormat weights, int maxElements) {
        if (!weights.quantizesActivations()) {
            throw new IllegalArgumentException(weights.type() + " multiplies float activations");
        }
        return switch (weights.type()) {
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_XS -> q8_K(maxElements);
            default -> q8_0(maxElements);
        };
    }

    /** 32 or 256. */
    public int blockSize() {
        return blockSize;
    }

    /** Most elements this instance can hold. */
    public int capacity() {
        return capacity;
    }

    /** Elements quantized by the last {@link #quantize} call. */
    public int length() {
        return length;
    }

    /** Quantized element {@code i} (-127..127). */
    public int quant(int i) {
        return qs[i];
    }

    /** The scale of block {@code block}: element {@code i} stands for {@code quant(i) · scale(i / blockSize())}. */
    public float scale(int block) {
        return d[block];
    }

    /** Blocks of 32: the sum of block {@code j}'s quants; blocks of 256: the sum of quants {@code 16j .. 16j+15}. */
    public int sum(int j) {
        return sums[j];
    }

    /** Writes the quantized values back as floats, {@code quant(i) · scale(i / blockSize())}, to {@code dst[offset ..]}. */
    public void dequantize(float[] dst, int offset) {
        for (int b = 0; b < length / blockSize; b++) {
            float scale = d[b];
            for (int i = b * blockSize; i < (b + 1) * blockSize; i++) dst[offset + i] = qs[i] * scale;
        }
    }

    private int checkLength(float[] x, int offset, int n) {
        if (n < 0 || n % blockSize != 0) {
            throw new IllegalArgumentException("need a multiple of " + blockSize + " elements, got " + n);
        }
        if (n > capacity) throw new IllegalArgumentException(n + " elements exceed the capacity " + capacity);
        java.util.Objects.checkFromIndexSize(offset, n, x.length);
        length = n;
        return n / blockSize;
    }

    /** Quantizes {@code x[offset .. offset+n-1]} ({@code n} a multiple of {@link #blockSize()}), vectorized. */
    public void quantize(float[] x, int offset, int n) {
        int nb = checkLength(x, offset, n);
        if (blockSize == 32) {
            for (int b = 0; b < nb; b++) quantizeBlock32(x, offset + 32 * b, b);
        } else {
            for (int b = 0; b < nb; b++) quantizeBlock256(x, offset + 256 * b, b);
            pairSums(nb);
        }
    }

    private void quantizeBlock32(float[] x, int s, int b) {
        FloatVector amax = FloatVector.zero(Simd.F);
        for (int j = 0; j < 32; j += Simd.FL) amax = amax.max(FloatVector.fromArray(Simd.F, x, s + j).abs());
        float dd = amax.reduceLanes(VectorOperators.MAX) / 127;
        float id = dd != 0 ? 1.0f / dd : 0.0f;
        d[b] = Fp16.round(dd);
        IntVector sum = IntVector.zero(Simd.I);
        for (int j = 0; j < 32; j += Simd.FL) {
            IntVector q = roundHalfAway(FloatVector.fromArray(Simd.F, x, s + j).mul(id));
            sum = sum.add(q);
            ((ShortVector) q.castShape(Simd.S, 0)).intoArray(qs, 32 * b + j);
        }
        sums[b] = sum.reduceLanes(VectorOperators.ADD);
    }

    /** C's {@code roundf} lane-wise: truncate, then step away from zero where the dropped part is at least a half. */
    private static IntVector roundHalfAway(FloatVector v) {
        IntVector t = (IntVector) v.convert(VectorOperators.F2I, 0);
        FloatVector frac = v.sub((FloatVector) t.convert(VectorOperators.I2F, 0)); // exact for |v| < 2^23
        VectorMask<Integer> up = frac.compare(VectorOperators.GE, 0.5f).cast(Simd.I);
        VectorMask<Integer> down = frac.compare(VectorOperators.LE, -0.5f).cast(Simd.I);
        return t.lanewise(VectorOperators.ADD, 1, up).lanewise(VectorOperators.SUB, 1, down);
    }

    private void quantizeBlock256(float[] x, int s, int b) {
        FloatVector amaxV = FloatVector.zero(Simd.F);
        for (int j = 0; j < 256; j += Simd.FL) amaxV = amaxV.max(FloatVector.fromArray(Simd.F, x, s + j).abs());
        float amax = amaxV.reduceLanes(VectorOperators.MAX);
        if (amax == 0) {
            d[b] = 0;
            java.util.Arrays.fill(qs, 256 * b, 256 * b + 256, (short) 0);
            java.util.Arrays.fill(sums, 16 * b, 16 * b + 16, 0);
            return;
        }
        float max = 0; // the first element of largest magnitude, with its sign
        for (int j = 0; j < 256; j += Simd.FL) {
            VectorMask<Float> m = FloatVector.fromArray(Simd.F, x, s + j).abs().compare(VectorOperators.EQ, amax);
            if (m.anyTrue()) {
                max = x[s + j + m.firstTrue()];
                break;
            }
        }
        float iscale = -127.0f / max;
        for (int g = 0; g < 16; g++) {
            IntVector sum = IntVector.zero(Simd.I);
            for (int j = 16 * g; j < 16 * g + 16; j += Simd.FL) {
                FloatVector v = FloatVector.fromArray(Simd.F, x, s + j).mul(iscale);
                IntVector q = ((IntVector) v.add(ROUND_MAGIC).sub(ROUND_MAGIC).convert(VectorOperators.F2I, 0)).min(127);
                sum = sum.add(q);
                ((ShortVector) q.castShape(Simd.S, 0)).intoArray(qs, 256 * b + j);
            }
            sums[16 * b + g] = sum.reduceLanes(VectorOperators.ADD);
        }
        d[b] = 1 / iscale;
    }

    /** The plain scalar {@link #quantize}, exactly ggml's reference rounding: the oracle in tests. */
    public void quantizeReference(float[] x, int offset, int n) {
        int nb = checkLength(x, offset, n);
        for (int b = 0; b < nb; b++) {
            int s = offset + blockSize * b;
            if (blockSize == 32) {
                float amax = 0;
                for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[s + j]));
                float dd = amax / 127;
                float id = dd != 0 ? 1.0f / dd : 0.0f;
                d[b] = Fp16.round(dd);
                int sum = 0;
                for (int j = 0; j < 32; j++) {
                    int q = Blocks.roundHalfAway(x[s + j] * id);
                    qs[32 * b + j] = (short) q;
                    sum += q;
                }
                sums[b] = sum;
            } else {
                float amax = 0, max = 0;
                for (int j = 0; j < 256; j++) {
                    if (Math.abs(x[s + j]) > amax) {
                        amax = Math.abs(x[s + j]);
                        max = x[s + j];
                    }
                }
                float iscale = amax != 0 ? -127.0f / max : 0;
                for (int g = 0; g < 16; g++) {
                    int sum = 0;
                    for (int i = 16 * g; i < 16 * g + 16; i++) {
                        int q = amax != 0 ? Math.min(127, Blocks.nearestEven(iscale * x[s + i])) : 0;
                        qs[256 * b + i] = (short) q;
                        sum += q;
                    }
                    sums[16 * b + g] = sum;
                }
                d[b] = amax != 0 ? 1 / iscale : 0;
            }
        }
        if (blockSize != 32) pairSums(nb);
    }

    private void pairSums(int nb) {
        for (int i = 0; i < 8 * nb; i++) sums32[i] = sums[2 * i] + sums[2 * i + 1];
    }
}
