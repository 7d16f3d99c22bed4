package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * IQ4_XS: super-blocks of 256 elements in 136 bytes: {@code half d; uint16 scales_h; uint8 scales_l[4]; uint8 qs[128]}.
 * Eight sub-blocks of 32, each with a six-bit scale {@code ls} ({@link #scale}: low four bits in nibble {@code ib % 2}
 * of {@code scales_l[ib/2]}, top two bits at bits {@code 2ib, 2ib+1} of {@code scales_h}); sub-block {@code ib}'s
 * 16 bytes {@code qs[16ib ..]} hold its elements as IQ4_NL's do (element {@code j} in the low nibble of byte {@code j},
 * {@code j+16} in the high nibble), indices into the same table ({@link IQ4_NLFormat#KVALUES}); an element is
 * {@code d·(ls - 32)·KVALUES[index]}. Multiplies by Q8_K-style activations, as ggml pairs it.
 */
public final class IQ4_XSFormat implements QuantFormat {
    public static final IQ4_XSFormat INSTANCE = new IQ4_XSFormat();
    private static final int QK = KQuants.QK_K;
    private static final int BYTES = 136;
    private static final int SCALES_H = 2, SCALES_L = 4, QS = 8;
    private static final byte[] KVALUES = IQ4_NLFormat.KVALUES;

    private IQ4_XSFormat() {}

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_XS;
    }

    /** Sub-block {@code ib}'s scale minus 32 ({@code -32..31}), of the super-block at {@code p}. */
    static int scale(MemorySegment w, long p, int ib) {
        int low = (Blocks.u8(w, p + SCALES_L + ib / 2) >>> (4 * (ib % 2))) & 0xF;
        int high = (Short.toUnsignedInt(w.get(Blocks.I16, p + SCALES_H)) >>> (2 * ib)) & 3;
        return (low | (high << 4)) - 32;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p);
            for (int ib = 0; ib < 8; ib++) {
                float dl = d * scale(src, p, ib);
                int y = dstOffset + b * QK + 32 * ib;
                for (int j = 0; j < 16; j++) {
                    int q = Blocks.u8(src, p + QS + 16 * ib + j);
                    dst[y + j] = dl * KVALUES[q & 0xF];
                    dst[y + j + 16] = dl * KVALUES[q >>> 4];
                }
            }
        }
    }

    @Override
    public boolean quantizesActivations() {
        return true;
    }

    /** Per super-block {@code d·dx·Σ (ls-32)·Σ t[q]·a}, the inner sums in integers. */
    @Override
    public float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int sumi = 0;
            for (int ib = 0; ib < 8; ib++) {
                int si = 0, y = b * QK + 32 * ib;
                for (int j = 0; j < 16; j++) {
                    int q = Blocks.u8(w, p + QS + 16 * ib + j);
                    si += KVALUES[q & 0xF] * x.qs[y + j] + KVALUES[q >>> 4] * x.qs[y + j + 16];
                }
                sumi += scale(w, p, ib) * si;
            }
            sum += Fp16.read(w, p) * x.d[b] * sumi;
        }
        return sum;
    }

    /**
     * As {@link #dotQuantizedReference}, to the bit: the integer sum is exact (below 256·32·127·127 < 2^31), the
     * float step the same. The table is looked up with one byte shuffle per 16 bytes ({@link NibbleLookup#B16}).
     */
    @Override
    public float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        ByteVector t = ByteVector.fromArray(NibbleLookup.B16, KVALUES, 0);
        short[] xq = x.qs;
        int[] sc = new int[8];
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            for (int ib = 0; ib < 8; ib++) sc[ib] = scale(w, p, ib); // scalar helpers before the vector code
            IntVector isum = IntVector.zero(IntDot.I);
            for (int ib = 0; ib < 8; ib++) {
                ByteVector q = ByteVector.fromMemorySegment(NibbleLookup.B16, w, p + QS + 16 * ib, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0xF).selectFrom(t), hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t);
                IntVector sub = IntVector.zero(IntDot.I);
                int y = b * QK + 32 * ib;
                for (int part = 0; part < 16 / IntDot.SL; part++) { // pairs into int lanes: 2·127·127 < 2^15
                    IntVector pl = ((ShortVector) lo.convertShape(VectorOperators.B2S, IntDot.S, part))
                            .mul(ShortVector.fromArray(IntDot.S, xq, y + part * IntDot.SL)).reinterpretAsInts();
                    IntVector ph = ((ShortVector) hi.convertShape(VectorOperators.B2S, IntDot.S, part))
                            .mul(ShortVector.fromArray(IntDot.S, xq, y + 16 + part * IntDot.SL)).reinterpretAsInts();
                    sub = sub.add(pl.lanewise(VectorOperators.ASHR, 16)).add(pl.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                            .add(ph.lanewise(VectorOperators.ASHR, 16)).add(ph.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                }
                isum = isum.add(sub.mul(sc[ib]));
            }
            sum += Fp16.read(w, p) * x.d[b] * isum.reduceLanes(VectorOperators.ADD); // exact in any order
        }
        return sum;
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        ByteVector t = ByteVector.fromArray(NibbleLookup.B16, KVALUES, 0);
        FloatVector acc = FloatVector.zero(Simd.F);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(w, p);
            for (int ib = 0; ib < 8; ib++) {
                FloatVector dl = FloatVector.broadcast(Simd.F, d * scale(w, p, ib));
                ByteVector q = ByteVector.fromMemorySegment(NibbleLookup.B16, w, p + QS + 16 * ib, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0xF).selectFrom(t), hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t);
                int xb = xOffset + b * QK + 32 * ib;
                FloatVector sub = FloatVector.zero(Simd.F);
                for (int part = 0; part < 16 / Simd.FL; part++) {
                    int xi = xb + part * Simd.FL;
                    sub = ((FloatVector) lo.convertShape(VectorOperators.B2F, Simd.F, part)).fma(FloatVector.fromArray(Simd.F, x, xi), sub);
                    sub = ((FloatVector) hi.convertShape(VectorOperators.B2F, Simd.F, part)).fma(FloatVector.fromArray(Simd.F, x, xi + 16), sub);
                }
                acc = sub.fma(dl, acc);
            }
        }
        return Simd.sum(acc);
    }

    /**
     * Each sub-block's own scale as IQ4_NL chooses it ({@link IQ4_NLFormat#bestScale}); {@code d} maps the
     * largest-magnitude one to -32, the scales are rounded to six bits against it, and the elements take the nearest
     * table entries for their rounded scale. Not ggml's search.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        float[] scales = new float[8];
        for (int b = 0; b < nb; b++) {
            int s = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            float maxScale = 0;
            for (int ib = 0; ib < 8; ib++) {
                scales[ib] = IQ4_NLFormat.bestScale(IQ4_NLFormat.LOOKUP, src, s + 32 * ib, 32);
                if (Math.abs(scales[ib]) > Math.abs(maxScale)) maxScale = scales[ib];
            }
            Fp16.write(dst, p, maxScale / -32);
            float d = Fp16.read(dst, p);
            int scalesH = 0;
            for (int ib = 0; ib < 4; ib++) Blocks.put8(dst, p + SCALES_L + ib, 0);
            for (int ib = 0; ib < 8; ib++) {
                int ls = (d != 0 ? Math.clamp(Blocks.nearestEven(scales[ib] / d), -32, 31) : 0) + 32;
                int at = SCALES_L + ib / 2;
                Blocks.put8(dst, p + at, Blocks.u8(dst, p + at) | ((ls & 0xF) << (4 * (ib % 2))));
                scalesH |= (ls >>> 4) << (2 * ib);
                IQ4_NLFormat.LOOKUP.putIndices(src, s + 32 * ib, d * (ls - 32), dst, p + QS + 16 * ib);
            }
            dst.set(Blocks.I16, p + SCALES_H, (short) scalesH);
        }
    }
}
