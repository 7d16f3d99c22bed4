package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q3_K: super-blocks of 256 elements in 110 bytes: {@code uint8 hmask[32]; uint8 qs[64]; uint8 scales[12]; half d}.
 * An element is {@code d·(sc - 32)·q} with {@code q} in {@code -4..3}: two low bits from {@code qs} and a high bit
 * from {@code hmask}, {@code q = low - (high ? 0 : 4)}. In half {@code h} (128 elements), element {@code 32j + l}
 * ({@code j = 0..3}, {@code l = 0..31}) has its low bits at bits {@code 2j, 2j+1} of {@code qs[32h + l]}, its high bit
 * at bit {@code 4h + j} of {@code hmask[l]}, and belongs to sub-block {@code s = 8h + 2j + l/16} of 16. The sixteen
 * six-bit scales ({@link #scale}): the low four bits of scale {@code s} are the low nibble of {@code scales[s]} for
 * {@code s < 8}, the high nibble of {@code scales[s-8]} otherwise; its top two bits are bits {@code 2(s/4), 2(s/4)+1}
 * of {@code scales[8 + s%4]}.
 */
public final class Q3_KFormat implements QuantFormat {
    public static final Q3_KFormat INSTANCE = new Q3_KFormat();
    private static final int QK = KQuants.QK_K;
    private static final int BYTES = 110;
    private static final int QS = 32, SCALES = 96, D = 108;

    private Q3_KFormat() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /** Six-bit scale {@code s} (0..15) of the 12 packed bytes at {@code p}, not yet offset by 32. */
    static int scale(MemorySegment w, long p, int s) {
        int low = s < 8 ? Blocks.u8(w, p + s) & 0xF : Blocks.u8(w, p + s - 8) >>> 4;
        int high = (Blocks.u8(w, p + 8 + s % 4) >>> (2 * (s / 4))) & 3;
        return low | (high << 4);
    }

    /** The sixteen scales of the super-block at {@code p}, each minus 32. */
    private static void scales(MemorySegment w, long p, int[] out) {
        for (int s = 0; s < 16; s++) out[s] = scale(w, p + SCALES, s) - 32;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        int[] sc = new int[16];
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p + D);
            scales(src, p, sc);
            for (int e = 0; e < QK; e++) {
                int h = e / 128, j = e % 128 / 32, l = e % 32;
                dst[dstOffset + b * QK + e] = d * sc[8 * h + 2 * j + l / 16] * quant(src, p, h, j, l);
            }
        }
    }

    /** Element {@code 32j + l} of half {@code h}: {@code -4..3}. */
    private static int quant(MemorySegment w, long p, int h, int j, int l) {
        int low = (Blocks.u8(w, p + QS + 32 * h + l) >>> (2 * j)) & 3;
        int high = (Blocks.u8(w, p + l) >>> (4 * h + j)) & 1;
        return low - (high != 0 ? 0 : 4);
    }

    @Override
    public boolean quantizesActivations() {
        return true;
    }

    /** As ggml: per super-block {@code d·dx·Σ (sc_j-32)·Σ q·a}, the inner sums in integers. */
    @Override
    public float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        int[] sc = new int[16];
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            scales(w, p, sc);
            int sumi = 0;
            for (int s = 0; s < 16; s++) {
                int h = s / 8, j = s % 8 / 2, l0 = 16 * (s % 2), si = 0;
                for (int l = l0; l < l0 + 16; l++) si += quant(w, p, h, j, l) * x.qs[b * QK + 128 * h + 32 * j + l];
                sumi += sc[s] * si;
            }
            sum += Fp16.read(w, p + D) * x.d[b] * sumi;
        }
        return sum;
    }

    /**
     * As {@link #dotQuantizedReference}, to the bit: the integer sum is exact (below 256·32·4·127), the float step the
     * same. The high bits are moved to bit 2 of each 16-bit lane, so {@code q = (low | high·4) - 4}.
     */
    @Override
    public float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        short[] xq = x.qs;
        int[] sc = new int[16];
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            scales(w, p, sc); // scalar helpers before the vector code
            IntVector isum = IntVector.zero(IntDot.I);
            for (int l = 0; l < 32; l += IntDot.SL) {
                ShortVector hm = ((ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + l, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, IntDot.S, 0)).lanewise(VectorOperators.LSHL, 2);
                int is = l / 16;
                for (int h = 0; h < 2; h++) {
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + QS + 32 * h + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, IntDot.S, 0);
                    int y = b * QK + 128 * h + l;
                    for (int j = 0; j < 4; j++) { // hm: bit 4h+j of hmask now at bit 2
                        ShortVector v3 = q.and((short) 3).or(hm.and((short) 4)).sub((short) 4);
                        ShortVector prod = v3.mul(ShortVector.fromArray(IntDot.S, xq, y + 32 * j));
                        q = q.lanewise(VectorOperators.ASHR, 2);
                        hm = hm.lanewise(VectorOperators.ASHR, 1);
                        IntVector v = prod.reinterpretAsInts();
                        isum = isum.add(v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                                .mul(sc[8 * h + 2 * j + is]));
                    }
                }
            }
            sum += Fp16.read(w, p + D) * x.d[b] * isum.reduceLanes(VectorOperators.ADD); // exact in any order
        }
        return sum;
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        int[] sc = new int[16];
        FloatVector acc = FloatVector.zero(Simd.F);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(w, p + D);
            scales(w, p, sc);
            for (int l = 0; l < 32; l += Simd.BL) { // Simd.BL divides 16: a chunk is in one sub-block
                ByteVector hm = ByteVector.fromMemorySegment(Simd.B, w, p + l, ByteOrder.LITTLE_ENDIAN);
                for (int h = 0; h < 2; h++) {
                    ByteVector q = ByteVector.fromMemorySegment(Simd.B, w, p + QS + 32 * h + l, ByteOrder.LITTLE_ENDIAN);
                    int y = xOffset + b * QK + 128 * h + l;
                    for (int j = 0; j < 4; j++) {
                        ByteVector v3 = q.and((byte) 3).or(hm.and((byte) 1).lanewise(VectorOperators.LSHL, 2)).sub((byte) 4);
                        q = q.lanewise(VectorOperators.LSHR, 2); // constant shifts only
                        hm = hm.lanewise(VectorOperators.LSHR, 1);
                        FloatVector scale = FloatVector.broadcast(Simd.F, d * sc[8 * h + 2 * j + l / 16]);
                        for (int part = 0; part < Simd.PARTS; part++) {
                            FloatVector xv = FloatVector.fromArray(Simd.F, x, y + 32 * j + part * Simd.FL);
                            acc = Simd.toFloat(v3, part).mul(scale).fma(xv, acc);
                        }
                    }
                }
            }
        }
        return Simd.sum(acc);
    }

    /**
     * A simple quantizer in the spirit of ggml's {@code make_q3_quants} without its search: each sub-block's scale maps
     * its largest-magnitude element to -4; the scales are then quantized to six signed bits against
     * {@code d = (largest-magnitude scale) / -32}.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        float[] scales = new float[16];
        int[] q = new int[QK];
        byte[] packed = new byte[12];
        for (int b = 0; b < nb; b++) {
            int s0 = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            float maxScale = 0;
            for (int s = 0; s < 16; s++) {
                float amax = 0, max = 0;
                for (int i = 0; i < 16; i++) {
                    float v = src[s0 + 16 * s + i];
                    if (amax < Math.abs(v)) {
                        amax = Math.abs(v);
                        max = v;
                    }
                }
                scales[s] = max / -4;
                if (Math.abs(scales[s]) > Math.abs(maxScale)) maxScale = scales[s];
            }
            Fp16.write(dst, p + D, maxScale / -32);
            float d = Fp16.read(dst, p + D);
            java.util.Arrays.fill(packed, (byte) 0);
            for (int s = 0; s < 16; s++) {
                int sc = d != 0 ? Math.clamp(Blocks.nearestEven(scales[s] / d), -32, 31) : 0;
                int u = sc + 32; // six bits
                packed[s % 8] |= (byte) ((u & 0xF) << (s < 8 ? 0 : 4));
                packed[8 + s % 4] |= (byte) ((u >>> 4) << (2 * (s / 4)));
                float ds = d * sc;
                for (int i = 0; i < 16; i++) {
                    q[16 * s + i] = ds != 0 ? Math.clamp(Blocks.nearestEven(src[s0 + 16 * s + i] / ds), -4, 3) : 0;
                }
            }
            MemorySegment.copy(MemorySegment.ofArray(packed), 0, dst, p + SCALES, 12);
            for (int l = 0; l < 32; l++) {
                int hmask = 0;
                for (int h = 0; h < 2; h++) {
                    int bits = 0;
                    for (int j = 0; j < 4; j++) {
                        int v = q[128 * h + 32 * j + l] + 4; // 0..7
                        bits |= (v & 3) << (2 * j);
                        hmask |= (v >>> 2) << (4 * h + j);
                    }
                    Blocks.put8(dst, p + QS + 32 * h + l, bits);
                }
                Blocks.put8(dst, p + l, hmask);
            }
        }
    }
}
