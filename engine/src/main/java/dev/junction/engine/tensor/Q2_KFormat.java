package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q2_K: super-blocks of 256 elements in 84 bytes: {@code uint8 scales[16]; uint8 qs[64]; half d; half dmin}.
 * Sixteen sub-blocks of 16 each have a four-bit scale (low nibble of {@code scales[j]}) and a four-bit min (high
 * nibble); an element is {@code d·sc·q - dmin·m} with {@code q} two bits. The elements go in two halves of 128: in
 * half {@code h}, element {@code 32j + l} ({@code j = 0..3}, {@code l = 0..31}) is bits {@code 2j, 2j+1} of
 * {@code qs[32h + l]}, and belongs to sub-block {@code 8h + 2j + l/16}.
 */
public final class Q2_KFormat implements QuantFormat {
    public static final Q2_KFormat INSTANCE = new Q2_KFormat();
    private static final int QK = KQuants.QK_K;
    private static final int BYTES = 84;
    private static final int QS = 16, D = 80, DMIN = 82;

    private Q2_KFormat() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p + D), dmin = Fp16.read(src, p + DMIN);
            for (int e = 0; e < QK; e++) {
                int h = e / 128, j = e % 128 / 32, l = e % 32;
                int sc = Blocks.u8(src, p + 8 * h + 2 * j + l / 16);
                int q = (Blocks.u8(src, p + QS + 32 * h + l) >>> (2 * j)) & 3;
                dst[dstOffset + b * QK + e] = d * (sc & 0xF) * q - dmin * (sc >>> 4);
            }
        }
    }

    @Override
    public boolean quantizesActivations() {
        return true;
    }

    /** As ggml: per super-block {@code dx·d·Σ sc_j·Σ q·a - dx·dmin·Σ m_j·Σ a}, the inner sums in integers. */
    @Override
    public float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int sumi = 0, summ = 0;
            for (int s = 0; s < 16; s++) {
                int sc = Blocks.u8(w, p + s);
                int h = s / 8, j = s % 8 / 2, l0 = 16 * (s % 2), si = 0;
                for (int l = l0; l < l0 + 16; l++) {
                    si += ((Blocks.u8(w, p + QS + 32 * h + l) >>> (2 * j)) & 3) * x.qs[b * QK + 128 * h + 32 * j + l];
                }
                sumi += (sc & 0xF) * si;
                summ += (sc >>> 4) * x.sums[16 * b + s];
            }
            float dall = x.d[b] * Fp16.read(w, p + D), dmin = x.d[b] * Fp16.read(w, p + DMIN);
            sum += dall * sumi - dmin * summ;
        }
        return sum;
    }

    /**
     * As {@link #dotQuantizedReference}, to the bit: the integer sums are exact (below 256·15·3·127), the float
     * steps the same. The sub-block products go through 16-bit lanes, a pair per int lane ({@code 2·3·127}).
     */
    @Override
    public float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        short[] xq = x.qs;
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int summ = 0;
            for (int s = 0; s < 16; s++) summ += (Blocks.u8(w, p + s) >>> 4) * x.sums[16 * b + s];
            long sc0 = w.get(Blocks.I64, p), sc1 = w.get(Blocks.I64, p + 8); // the sixteen scale bytes
            IntVector isum = IntVector.zero(IntDot.I);
            for (int h = 0; h < 2; h++) {
                long sc = h == 0 ? sc0 : sc1;
                for (int l = 0; l < 32; l += IntDot.SL) {
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + QS + 32 * h + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, IntDot.S, 0);
                    int y = b * QK + 128 * h + l, is = l / 16;
                    for (int j = 0; j < 4; j++) { // bits 2j, 2j+1: element 32j + l, sub-block 2j + l/16 of the half
                        ShortVector prod = q.and((short) 3).mul(ShortVector.fromArray(IntDot.S, xq, y + 32 * j));
                        q = q.lanewise(VectorOperators.ASHR, 2);
                        IntVector v = prod.reinterpretAsInts();
                        int scale = (int) (sc >>> (8 * (2 * j + is))) & 0xF;
                        isum = isum.add(v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul(scale));
                    }
                }
            }
            int sumi = isum.reduceLanes(VectorOperators.ADD); // exact in any order
            float dall = x.d[b] * Fp16.read(w, p + D), dmin = x.d[b] * Fp16.read(w, p + DMIN);
            sum += dall * sumi - dmin * summ;
        }
        return sum;
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        FloatVector acc = FloatVector.zero(Simd.F);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(w, p + D), dmin = Fp16.read(w, p + DMIN);
            for (int h = 0; h < 2; h++) {
                int y = xOffset + b * QK + 128 * h;
                for (int l = 0; l < 32; l += Simd.BL) { // Simd.BL divides 16: a chunk is in one sub-block
                    ByteVector q = ByteVector.fromMemorySegment(Simd.B, w, p + QS + 32 * h + l, ByteOrder.LITTLE_ENDIAN);
                    for (int j = 0; j < 4; j++) {
                        int sc = Blocks.u8(w, p + 8 * h + 2 * j + l / 16);
                        FloatVector dl = FloatVector.broadcast(Simd.F, d * (sc & 0xF));
                        FloatVector ml = FloatVector.broadcast(Simd.F, -dmin * (sc >>> 4));
                        ByteVector bits = q.and((byte) 3);
                        q = q.lanewise(VectorOperators.LSHR, 2); // constant shifts only: the next two bits
                        for (int part = 0; part < Simd.PARTS; part++) {
                            FloatVector xv = FloatVector.fromArray(Simd.F, x, y + 32 * j + l + part * Simd.FL);
                            acc = Simd.toFloat(bits, part).fma(dl, ml).fma(xv, acc);
                        }
                    }
                }
            }
        }
        return Simd.sum(acc);
    }

    /**
     * A simple min/max quantizer: each sub-block of 16 is {@code x ≈ s·q - m} over its own range (the min clamped to
     * at most 0), the scales and mins then quantized to four bits against {@code d = max s / 15} and
     * {@code dmin = max m / 15}. Not ggml's optimizing search.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        float[] scales = new float[16], mins = new float[16];
        int[] q = new int[QK];
        for (int b = 0; b < nb; b++) {
            int s0 = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            float maxScale = 0, maxMin = 0;
            for (int s = 0; s < 16; s++) {
                float lo = 0, hi = -Float.MAX_VALUE;
                for (int i = 0; i < 16; i++) {
                    lo = Math.min(lo, src[s0 + 16 * s + i]);
                    hi = Math.max(hi, src[s0 + 16 * s + i]);
                }
                scales[s] = (hi - lo) / 3;
                mins[s] = -lo;
                maxScale = Math.max(maxScale, scales[s]);
                maxMin = Math.max(maxMin, mins[s]);
            }
            Fp16.write(dst, p + D, maxScale / 15);
            Fp16.write(dst, p + DMIN, maxMin / 15);
            float d = Fp16.read(dst, p + D), dmin = Fp16.read(dst, p + DMIN);
            for (int s = 0; s < 16; s++) {
                int sc = d > 0 ? Math.clamp(Blocks.nearestEven(scales[s] / d), 0, 15) : 0;
                int m = dmin > 0 ? Math.clamp(Blocks.nearestEven(mins[s] / dmin), 0, 15) : 0;
                Blocks.put8(dst, p + s, sc | (m << 4));
                float ds = d * sc, dm = dmin * m;
                for (int i = 0; i < 16; i++) {
                    q[16 * s + i] = ds > 0 ? Math.clamp(Blocks.nearestEven((src[s0 + 16 * s + i] + dm) / ds), 0, 3) : 0;
                }
            }
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int e = 128 * h + l;
                    Blocks.put8(dst, p + QS + 32 * h + l, q[e] | (q[e + 32] << 2) | (q[e + 64] << 4) | (q[e + 96] << 6));
                }
            }
        }
    }
}
