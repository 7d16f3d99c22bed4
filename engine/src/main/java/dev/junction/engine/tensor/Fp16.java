package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

/**
 * IEEE half-precision (fp16) values as ggml stores them: little-endian, used for block scales and F16 tensors.
 * The scalar methods use the JDK's (intrinsified) conversions; {@link #toFloat(ShortVector)} widens a vector of halves
 * in registers, since the Vector API has no fp16 conversion operator.
 */
public final class Fp16 {
    private Fp16() {}

    /** The half at byte {@code offset} of {@code s}, as a float. */
    public static float read(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(Blocks.I16, offset));
    }

    /** Stores {@code v} rounded to the nearest half (ties to even) at byte {@code offset} of {@code s}. */
    public static void write(MemorySegment s, long offset, float v) {
        s.set(Blocks.I16, offset, Float.floatToFloat16(v));
    }

    /** {@code v} rounded to the nearest representable half, as a float. */
    public static float round(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    private static final float TWO_POW_112 = 0x1p112f;
    private static final int HALF_EXP_ALL_ONES = 0x7C00 << 13;

    /**
     * Widens {@link Simd#S} lanes of half bits to {@link Simd#F} floats, exactly as {@link Float#float16ToFloat}:
     * the exponent and mantissa bits are moved into float position and rescaled by 2^112 (which also normalizes
     * subnormal halves exactly); infinities and NaNs get the all-ones float exponent; the sign is put back last.
     */
    static FloatVector toFloat(ShortVector halves) {
        IntVector h = (IntVector) halves.convertShape(VectorOperators.S2I, Simd.I, 0);
        IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        VectorMask<Integer> infOrNan = magnitude.compare(VectorOperators.GE, HALF_EXP_ALL_ONES);
        IntVector bits = magnitude.reinterpretAsFloats().mul(TWO_POW_112).reinterpretAsInts()
                .lanewise(VectorOperators.OR, 0x7F800000, infOrNan)
                .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
        return bits.reinterpretAsFloats();
    }

    /**
     * As {@link #toFloat} for every finite half, in four vector operations instead of nine: the sign-extended half,
     * shifted into float position and masked to sign, exponent and mantissa, is the float scaled by 2^-112.
     * Infinities and NaNs come out as large finite values, so this serves the hot loops over weights and cached
     * activations, which are finite.
     */
    static FloatVector toFloatFinite(ShortVector halves) {
        IntVector h = (IntVector) halves.convertShape(VectorOperators.S2I, Simd.I, 0);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats().mul(TWO_POW_112);
    }
}
