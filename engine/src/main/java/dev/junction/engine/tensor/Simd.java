package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species the fast kernels use. {@link #F} is the CPU's preferred float species, clamped to 4..16 lanes so
 * that every block layout (sub-blocks of 16 or 32 elements) is a whole number of vectors. Bytes are loaded
 * {@link #B}-wide ({@code max(8, F.length())} lanes, the narrowest byte species is 64 bits) and widened to floats in
 * {@link #PARTS} pieces of {@code F.length()} lanes.
 */
final class Simd {
    private Simd() {}

    static final VectorSpecies<Float> F = pickFloatSpecies();
    static final int FL = F.length();
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(FL * 16));
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(8, FL) * 8));
    static final int BL = B.length();
    static final int PARTS = BL / FL;

    private static VectorSpecies<Float> pickFloatSpecies() {
        VectorSpecies<Float> p = FloatVector.SPECIES_PREFERRED;
        if (p.length() < 4) return FloatVector.SPECIES_128;
        if (p.length() > 16) return FloatVector.SPECIES_512;
        return p;
    }

    private static final VectorShuffle<Float> SWAP8 = swap(F, 8), SWAP4 = swap(F, 4), SWAP2 = swap(F, 2), SWAP1 = swap(F, 1);

    /**
     * The lanes of {@code v} summed in a fixed pairwise order: lane {@code i} plus lane {@code i ^ FL/2}, and so on
     * down to pairs of neighbours. {@code reduceLanes(ADD)} leaves the order unspecified, and the JIT's order does
     * differ from the interpreter's; a product must come out the same bits wherever and whenever it is computed.
     * The shuffles are constants, so the JIT turns each step into one permute and one add.
     */
    static float sum(FloatVector v) {
        v = FloatVector.zero(F).add(v); // a receiver of known shape: the steps below then inline as intrinsics
        if (FL > 8) v = v.add(v.rearrange(SWAP8));
        if (FL > 4) v = v.add(v.rearrange(SWAP4));
        v = v.add(v.rearrange(SWAP2));
        return v.add(v.rearrange(SWAP1)).lane(0);
    }

    /** The shuffle exchanging lanes {@code i} and {@code i ^ step}, or null where {@code step} is not below the length. */
    static VectorShuffle<Float> swap(VectorSpecies<Float> species, int step) {
        return step < species.length() ? VectorShuffle.fromOp(species, i -> i ^ step) : null;
    }

    /** Lanes {@code part*FL .. part*FL+FL-1} of {@code b}, sign-extended to floats. */
    static FloatVector toFloat(ByteVector b, int part) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, part);
    }
}
