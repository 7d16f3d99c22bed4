package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q6_K: super-blocks of 256 elements in 210 bytes: {@code uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d}.
 * Sixteen sub-blocks of 16 elements each have a signed eight-bit scale; an element is {@code d·scale·(q - 32)} with
 * six-bit {@code q}. Each half {@code h} of the super-block (128 elements) uses {@code ql[64h ..]},
 * {@code qh[32h ..]} and {@code scales[8h ..]}: for {@code l} in 0..31, element {@code l} is the low nibble of
 * {@code ql[l]}, element {@code l+32} the low nibble of {@code ql[l+32]}, elements {@code l+64} and {@code l+96}
 * the high nibbles of the same two bytes; their top two bits are bits 0-1, 2-3, 4-5 and 6-7 of {@code qh[l]}.
 */
public final class Q6_KFormat implements QuantFormat {
    public static final Q6_KFormat INSTANCE = new Q6_KFormat();
    private static final int QK = KQuants.QK_K;
    private static final int BYTES = 210;
    private static final int QH = 128, SCALES = 192, D = 208;

    private Q6_KFormat() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p + D);
            for (int h = 0; h < 2; h++) {
                long ql = p + 64 * h, qh = p + QH + 32 * h, sc = p + SCALES + 8 * h;
                int y = dstOffset + b * QK + 128 * h;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int a = Blocks.u8(src, ql + l), c = Blocks.u8(src, ql + l + 32), hb = Blocks.u8(src, qh + l);
                    int q1 = ((a & 0xF) | ((hb & 3) << 4)) - 32;
                    int q2 = ((c & 0xF) | (((hb >>> 2) & 3) << 4)) - 32;
                    int q3 = ((a >>> 4) | (((hb >>> 4) & 3) << 4)) - 32;
                    int q4 = ((c >>> 4) | (((hb >>> 6) & 3) << 4)) - 32;
                    dst[y + l] = d * Blocks.i8(src, sc + is) * q1;
                    dst[y + l + 32] = d * Blocks.i8(src, sc + is + 2) * q2;
                    dst[y + l + 64] = d * Blocks.i8(src, sc + is + 4) * q3;
                    dst[y + l + 96] = d * Blocks.i8(src, sc + is + 6) * q4;
                }
            }
        }
    }

    @Override
    public boolean quantizesActivations() {
        return true;
    }

    /** As ggml: per super-block {@code d·dx·Σ_j scale_j·Σ (q-32)·a}, the inner sums in integers. */
    @Override
    public float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int sumi = 0;
            for (int h = 0; h < 2; h++) {
                long ql = p + 64 * h, qh = p + QH + 32 * h, sc = p + SCALES + 8 * h;
                int y = b * QK + 128 * h;
                for (int k = 0; k < 4; k++) {
                    for (int is = 0; is < 2; is++) {
                        int s = 0;
                        for (int l = 16 * is; l < 16 * is + 16; l++) {
                            int bits = Blocks.u8(w, ql + l + 32 * (k & 1));
                            int nibble = k < 2 ? bits & 0xF : bits >>> 4;
                            int q = (nibble | (((Blocks.u8(w, qh + l) >>> (2 * k)) & 3) << 4)) - 32;
                            s += q * x.qs[y + 32 * k + l];
                        }
                        sumi += Blocks.i8(w, sc + is + 2 * k) * s;
                    }
                }
            }
            sum += Fp16.read(w, p + D) * x.d[b] * sumi;
        }
        return sum;
    }

    /**
     * As {@link #dotQuantizedReference}, to the bit: each super-block's {@code Σ scale·Σ (q-32)·a} is an exact int
     * (|sum| < 256·128·32·127 < 2^31), then {@code sum += d·dx·sumi} in scalar floats. The vector part is written out
     * and calls no helper: past C2's node budget for a method (a few dozen Vector API operations) even a small helper
     * is no longer inlined, and one passing vectors boxes them.
     */
    @Override
    public float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        short[] xq = x.qs;
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(w, p + D) * x.d[b];
            IntVector isum = IntVector.zero(IntDot.I);
            for (int h = 0; h < 2; h++) {
                long sc = w.get(Blocks.I64, p + SCALES + 8 * h); // the half's eight int8 scales at once
                for (int l = 0; l < 32; l += IntDot.SL) {
                    // elements l + 32k (k = 0..3): low nibbles of ql, of ql+32, high nibbles of each; bits 2k, 2k+1 of qh on top
                    long ql = p + 64 * h + l, scl = sc >> (8 * (l / 16));
                    int y = b * QK + 128 * h + l;
                    ShortVector hb = ((ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + QH + 32 * h + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, IntDot.S, 0)).lanewise(VectorOperators.LSHL, 4);
                    ShortVector b0 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, ql, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, IntDot.S, 0);
                    ShortVector b1 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, ql + 32, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, IntDot.S, 0);
                    IntVector p0 = b0.and((short) 0xF).or(hb.and((short) 0x30)).sub((short) 32)
                            .mul(ShortVector.fromArray(IntDot.S, xq, y)).reinterpretAsInts();
                    IntVector p1 = b1.and((short) 0xF).or(hb.lanewise(VectorOperators.ASHR, 2).and((short) 0x30)).sub((short) 32)
                            .mul(ShortVector.fromArray(IntDot.S, xq, y + 32)).reinterpretAsInts();
                    IntVector p2 = b0.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).or(hb.lanewise(VectorOperators.ASHR, 4)
                            .and((short) 0x30)).sub((short) 32).mul(ShortVector.fromArray(IntDot.S, xq, y + 64)).reinterpretAsInts();
                    IntVector p3 = b1.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).or(hb.lanewise(VectorOperators.ASHR, 6)
                            .and((short) 0x30)).sub((short) 32).mul(ShortVector.fromArray(IntDot.S, xq, y + 96)).reinterpretAsInts();
                    // neighbouring products summed into int lanes (IntDot.pairSum; a pair fits a short, |2·32·127| < 2^15)
                    isum = isum.add(p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) scl))
                            .add(p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (scl >> 16)))
                            .add(p2.add(p2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (scl >> 32)))
                            .add(p3.add(p3.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (scl >> 48)));
                }
            }
            sum += d * isum.reduceLanes(VectorOperators.ADD); // exact in any order
        }
        return sum;
    }

    /**
     * Per sub-block of 16 (two chunks), the exact lanes of {@link QuantizedBatch} times its int8 scale, the scale folded
     * into the unpacked weights once for all vectors; the absolute values a lane sums over the super-block stay below
     * {@code 16·128·(2·32·127) < 2^24}, so every partial sum is exact in any order, and so is their int total; then
     * {@link #dotQuantized}'s scalar step per vector ({@link QuantizedBatch#sumInto}).
     */
    @Override
    public void dotQuantized8(MemorySegment w, long offset, long rowBytes, int rows, QuantizedBatch x, int from, int to,
                              float[] state, float[] scratch) {
        x.check(QK, to);
        int count = x.count(); // read before the vector code: past the node budget even this is a call
        int size = QuantizedBatch.SIZE, lanes = QuantizedBatch.LANES;
        for (int r = 0; r < rows; r++) {
            QuantizedBatch.load(state, r, scratch);
            for (int b = from / QK; b < to / QK; b++) {
                long p = offset + r * rowBytes + (long) b * BYTES;
                float d = Fp16.read(w, p + D); // scalar helpers before the vector code
                for (int h = 0; h < 2; h++) {
                    for (int l = 0; l < 32; l += 16) { // four sub-blocks of 16 (k = 0..3), 32 elements apart
                        // as dotQuantized: the high bits moved to bits 4-5, then two more per k
                        ShortVector hb = ((ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + QH + 32 * h + l, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2S, IntDot.S, 0)).lanewise(VectorOperators.LSHL, 4);
                        ShortVector b0 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + 64 * h + l, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2S, IntDot.S, 0);
                        ShortVector b1 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + 64 * h + l + 32, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2S, IntDot.S, 0);
                        IntVector q0 = b0.and((short) 0xF).or(hb.and((short) 0x30)).sub((short) 32).reinterpretAsInts();
                        IntVector q1 = b1.and((short) 0xF).or(hb.lanewise(VectorOperators.ASHR, 2).and((short) 0x30)).sub((short) 32).reinterpretAsInts();
                        IntVector q2 = b0.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).or(hb.lanewise(VectorOperators.ASHR, 4).and((short) 0x30))
                                .sub((short) 32).reinterpretAsInts();
                        IntVector q3 = b1.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).or(hb.lanewise(VectorOperators.ASHR, 6).and((short) 0x30))
                                .sub((short) 32).reinterpretAsInts();
                        long scl = w.get(Blocks.I64, p + SCALES + 8 * h + l / 16); // sub-block k's int8 scale in byte 2k
                        // the even (e) and the odd (o) elements of each run, as the integer kernel pairs them (IntDot.pairSum),
                        // times their sub-block's scale: |32·128| products, so every sum below stays exact
                        FloatVector s0 = FloatVector.broadcast(IntDot.F, (byte) scl), s1 = FloatVector.broadcast(IntDot.F, (byte) (scl >> 16));
                        FloatVector e0 = ((FloatVector) q0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(s0);
                        FloatVector o0 = ((FloatVector) q0.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(s0);
                        FloatVector e1 = ((FloatVector) q1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(s1);
                        FloatVector o1 = ((FloatVector) q1.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(s1);
                        FloatVector s2 = FloatVector.broadcast(IntDot.F, (byte) (scl >> 32)), s3 = FloatVector.broadcast(IntDot.F, (byte) (scl >> 48));
                        FloatVector e2 = ((FloatVector) q2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(s2);
                        FloatVector o2 = ((FloatVector) q2.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(s2);
                        FloatVector e3 = ((FloatVector) q3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(s3);
                        FloatVector o3 = ((FloatVector) q3.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(s3);
                        int chunk = (b * QK + 128 * h + l) / lanes, step = size * lanes, next = 4 * step; // k + 1: 32 elements on
                        for (int v = 0; v < QuantizedBatch.SIZE; v++) { // into the integer lanes (constant length: see Q4_K)
                            int xi = (chunk * size + v) * lanes, i = QuantizedBatch.ISUM + v * lanes;
                            FloatVector lo = e0.fma(FloatVector.fromArray(IntDot.F, x.q, xi), FloatVector.fromArray(IntDot.F, scratch, i));
                            lo = o0.fma(FloatVector.fromArray(IntDot.F, x.q, xi + step), lo);
                            lo = e1.fma(FloatVector.fromArray(IntDot.F, x.q, xi + next), lo);
                            lo = o1.fma(FloatVector.fromArray(IntDot.F, x.q, xi + next + step), lo);
                            FloatVector hi = e2.mul(FloatVector.fromArray(IntDot.F, x.q, xi + 2 * next));
                            hi = o2.fma(FloatVector.fromArray(IntDot.F, x.q, xi + 2 * next + step), hi);
                            hi = e3.fma(FloatVector.fromArray(IntDot.F, x.q, xi + 3 * next), hi);
                            hi = o3.fma(FloatVector.fromArray(IntDot.F, x.q, xi + 3 * next + step), hi);
                            lo.add(hi).intoArray(scratch, i);
                        }
                    }
                }
                QuantizedBatch.sumInto(scratch, d, x.d, b * size, count);
            }
            QuantizedBatch.store(scratch, state, r);
        }
    }

    @Override
    public boolean batchesQuantized() {
        return QuantizedBatch.FOUR_CHUNKS; // the kernel above is written for blocks of four chunks (256-bit vectors)
    }

    @Override
    public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        FloatVector acc = FloatVector.zero(Simd.F);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(w, p + D);
            for (int h = 0; h < 2; h++) {
                long ql = p + 64 * h, qh = p + QH + 32 * h, sc = p + SCALES + 8 * h;
                int y = xOffset + b * QK + 128 * h;
                for (int l = 0; l < 32; l += Simd.BL) {
                    int is = l / 16; // Simd.BL divides 16, so a chunk never straddles two sub-blocks
                    ByteVector hb = ByteVector.fromMemorySegment(Simd.B, w, qh + l, ByteOrder.LITTLE_ENDIAN);
                    // k = 0..3: elements l + 32k; kept as a loop (not unrolled by hand) so that the JIT's
                    // inlining budget covers every Vector API call
                    for (int k = 0; k < 4; k++) {
                        ByteVector bits = ByteVector.fromMemorySegment(Simd.B, w, ql + l + 32 * (k & 1), ByteOrder.LITTLE_ENDIAN);
                        ByteVector nibble = k < 2 ? bits.and((byte) 0xF) : bits.lanewise(VectorOperators.LSHR, 4);
                        ByteVector q = nibble.or(hb.and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                        hb = hb.lanewise(VectorOperators.LSHR, 2); // constant shifts only: the next two bits
                        FloatVector scale = FloatVector.broadcast(Simd.F, d * Blocks.i8(w, sc + is + 2 * k));
                        for (int part = 0; part < Simd.PARTS; part++) {
                            FloatVector xv = FloatVector.fromArray(Simd.F, x, y + 32 * k + l + part * Simd.FL);
                            acc = Simd.toFloat(q, part).mul(scale).fma(xv, acc);
                        }
                    }
                }
            }
        }
        return Simd.sum(acc);
    }

    /**
     * A simple quantizer in the spirit of ggml's {@code make_qx_quants} without its search: each sub-block's scale
     * maps its largest-magnitude element to -32; the scales are then quantized to int8 against {@code d}.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        float[] scales = new float[16];
        for (int b = 0; b < nb; b++) {
            int s = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            float maxScale = 0;
            for (int j = 0; j < 16; j++) {
                float amax = 0, max = 0;
                for (int i = 0; i < 16; i++) {
                    float v = src[s + 16 * j + i];
                    if (amax < Math.abs(v)) {
                        amax = Math.abs(v);
                        max = v;
                    }
                }
                scales[j] = max / -32;
                if (Math.abs(scales[j]) > Math.abs(maxScale)) maxScale = scales[j];
            }
            Fp16.write(dst, p + D, maxScale / -128);
            float d = Fp16.read(dst, p + D);
            int[] q = new int[QK];
            for (int j = 0; j < 16; j++) {
                int sc = d != 0 ? Math.clamp(Blocks.nearestEven(scales[j] / d), -128, 127) : 0;
                Blocks.put8(dst, p + SCALES + j, sc);
                float ds = d * sc;
                for (int i = 0; i < 16; i++) {
                    int l = ds != 0 ? Math.clamp(Blocks.nearestEven(src[s + 16 * j + i] / ds), -32, 31) : 0;
                    q[16 * j + i] = l + 32;
                }
            }
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int y = 128 * h + l;
                    int q1 = q[y], q2 = q[y + 32], q3 = q[y + 64], q4 = q[y + 96];
                    Blocks.put8(dst, p + 64 * h + l, (q1 & 0xF) | ((q3 & 0xF) << 4));
                    Blocks.put8(dst, p + 64 * h + l + 32, (q2 & 0xF) | ((q4 & 0xF) << 4));
                    Blocks.put8(dst, p + QH + 32 * h + l, (q1 >>> 4) | ((q2 >>> 4) << 2) | ((q3 >>> 4) << 4) | ((q4 >>> 4) << 6));
                }
            }
        }
    }
}
