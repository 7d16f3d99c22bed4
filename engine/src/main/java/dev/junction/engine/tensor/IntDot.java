package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Species and helpers of the integer dot products ({@link QuantFormat#dotQuantized}). Weight bytes are loaded
 * {@link #B}-wide and sign-extended to {@link #S} shorts ({@code SL} lanes: 16 on AVX2 and AVX-512, 8 on 128-bit
 * machines), multiplied by the activations (kept as int16 in {@link QuantizedActivations}) with 16-bit lane
 * multiplies, and pairs of adjacent shorts are summed into {@link #I} ints ({@link #pairSum}, what x86's
 * {@code pmaddwd} does) before one conversion to float per block. Shorts never overflow: a lane sums at most two
 * products of 8-bit values ({@code 2·128·127 < 2^15}) or up to four of 4/5/6-bit weights.
 *
 * <p>Which elements meet in which int lane is part of the result (the lanes are scaled and summed as floats): in
 * each aligned run of {@code SL} elements, lane {@code j} holds elements {@code 2j} and {@code 2j+1}. The batched
 * kernels ({@link QuantizedBatch}) rebuild exactly these integer lanes with float multiply-adds, from the even and
 * the odd elements of each run.
 *
 * <p>The short species is capped at 256 bits so that a 16-byte group of nibbles (Q4_0's block, a Q4_K sub-block
 * half) is one vector on every machine; all species are static final constants so the intrinsics always apply.
 */
final class IntDot {
    private IntDot() {}

    static final VectorSpecies<Short> S = pickShortSpecies();
    static final int SL = S.length();
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(SL * 8));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, S.vectorShape());

    /** Lane {@code i} holds {@code 1 << i}: to test bit {@code i} of a bit field per lane ({@link #bitTimes16}). */
    static final short[] LANE_BIT = laneBits();

    private static short[] laneBits() {
        short[] b = new short[SL];
        for (int i = 0; i < SL; i++) b[i] = (short) (1 << i);
        return b;
    }

    /** Lane {@code i} is 16 where bit {@code i} of {@code bits} is set, else 0 ({@code laneBit}: {@link #LANE_BIT}). */
    static ShortVector bitTimes16(int bits, ShortVector laneBit) {
        ShortVector t = ShortVector.broadcast(S, (short) bits).and(laneBit);
        return ShortVector.zero(S).blend((short) 16, t.compare(VectorOperators.NE, (short) 0));
    }

    private static VectorSpecies<Short> pickShortSpecies() {
        int bits = ShortVector.SPECIES_PREFERRED.vectorBitSize();
        return bits >= 256 ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;
    }

    /** {@code SL} signed bytes widened to shorts. */
    static ShortVector widen(ByteVector b) {
        return (ShortVector) b.convertShape(VectorOperators.B2S, S, 0);
    }

    /** Each int lane is the sum of the two signed shorts it overlays. */
    static IntVector pairSum(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
    }

    /** {@code acc + float(pairSum(p)) · scale}. */
    static FloatVector scaled(ShortVector p, float scale, FloatVector acc) {
        FloatVector f = (FloatVector) pairSum(p).convert(VectorOperators.I2F, 0);
        return f.fma(FloatVector.broadcast(F, scale), acc);
    }

    private static final VectorShuffle<Float> SWAP4 = Simd.swap(F, 4), SWAP2 = Simd.swap(F, 2), SWAP1 = Simd.swap(F, 1);

    /** {@link #sum} of the vector at {@code a[offset ..]}: for callers that keep their accumulators in an array. */
    static float sum(float[] a, int offset) {
        return sum(FloatVector.fromArray(F, a, offset));
    }

    /** The lanes of {@code v} summed in a fixed pairwise order, as {@link Simd#sum} ({@code F} has 4 or 8 lanes). */
    static float sum(FloatVector v) {
        v = FloatVector.zero(F).add(v); // a receiver of known shape: the steps below then inline as intrinsics
        if (F.length() > 4) v = v.add(v.rearrange(SWAP4));
        v = v.add(v.rearrange(SWAP2));
        return v.add(v.rearrange(SWAP1)).lane(0);
    }

    static void checkActivations(QuantizedActivations x, int blockSize, int n) {
        if (x.blockSize() != blockSize) {
            throw new IllegalArgumentException("activations quantized in blocks of " + x.blockSize() + ", need " + blockSize);
        }
        if (n > x.length()) throw new IllegalArgumentException("row of " + n + " elements, activations hold " + x.length());
    }
}
