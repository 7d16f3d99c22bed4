package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q4_K: super-blocks of 256 elements in 144 bytes: {@code half d; half dmin; uint8 scales[12]; uint8 qs[128]}.
 * Eight sub-blocks of 32 each have a six-bit scale {@code sc} and min {@code m} ({@link KQuants#scale}); element
 * value is {@code d·sc·q - dmin·m}. The elements go in four chunks of 64: chunk {@code c} uses bytes
 * {@code qs[32c .. 32c+31]}, whose low nibbles are sub-block {@code 2c} and high nibbles sub-block {@code 2c+1}.
 */
public final class Q4_KFormat implements QuantFormat {
    public static final Q4_KFormat INSTANCE = new Q4_KFormat();
    private static final int QK = KQuants.QK_K;
    private static final int BYTES = 144;

    private Q4_KFormat() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p);
            float dmin = Fp16.read(src, p + 2);
            int y = dstOffset + b * QK;
            for (int c = 0; c < 4; c++) {
                float d0 = d * KQuants.scale(src, p + 4, 2 * c), m0 = dmin * KQuants.min(src, p + 4, 2 * c);
                float d1 = d * KQuants.scale(src, p + 4, 2 * c + 1), m1 = dmin * KQuants.min(src, p + 4, 2 * c + 1);
                for (int l = 0; l < 32; l++) {
                    int q = Blocks.u8(src, p + 16 + 32 * c + l);
                    dst[y + 64 * c + l] = d0 * (q & 0xF) - m0;
                    dst[y + 64 * c + 32 + l] = d1 * (q >>> 4) - m1;
                }
            }
        }
    }

    @Override
    public boolean quantizesActivations() {
        return true;
    }

    /** As ggml: per super-block {@code d·dx·Σ sc_j·Σ q·a - dmin·dx·Σ m_j·Σ a}, the inner sums in integers. */
    @Override
    public float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int sumi = 0, summ = 0;
            for (int c = 0; c < 4; c++) {
                int s0 = 0, s1 = 0;
                for (int l = 0; l < 32; l++) {
                    int q = Blocks.u8(w, p + 16 + 32 * c + l);
                    s0 += (q & 0xF) * x.qs[b * QK + 64 * c + l];
                    s1 += (q >>> 4) * x.qs[b * QK + 64 * c + 32 + l];
                }
                sumi += KQuants.scale(w, p + 4, 2 * c) * s0 + KQuants.scale(w, p + 4, 2 * c + 1) * s1;
            }
            for (int j = 0; j < 8; j++) summ += KQuants.min(w, p + 4, j) * (x.sums[16 * b + 2 * j] + x.sums[16 * b + 2 * j + 1]);
            sum += Fp16.read(w, p) * x.d[b] * sumi - Fp16.read(w, p + 2) * x.d[b] * summ;
        }
        return sum;
    }

    /**
     * Each super-block's {@code Σ sc·Σ q·a} as an exact int (below 256·63·15·127), then in scalar floats
     * {@code sum += d·dx·sumi} and {@code mins += dmin·dx·Σ m·Σa}; the result is {@code sum - mins}. The vector part
     * is written out and calls no helper: past C2's node budget for a method (a few dozen Vector API operations) even
     * a small helper is no longer inlined, and one passing vectors boxes them. The scalar helpers come first.
     */
    @Override
    public float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        short[] xq = x.qs;
        float sum = 0, mins = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(w, p) * x.d[b];
            mins += Fp16.read(w, p + 2) * x.d[b] * KQuants.minDot(KQuants.mins(w, p + 4), x.sums32, b);
            long sc = KQuants.scales(w, p + 4);
            IntVector isum = IntVector.zero(IntDot.I);
            for (int c = 0; c < 4; c += 2) { // two runs of 32 bytes per pass (a loop of four passes is ~15 % slower)
                long q = p + 16 + 32 * c;
                int y = b * QK + 64 * c;
                ShortVector s0 = ShortVector.zero(IntDot.S), s1 = s0, s2 = s0, s3 = s0;
                for (int l = 0; l < 32; l += IntDot.SL) { // low nibbles of a run are one sub-block, high nibbles the next
                    ShortVector n0 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, q + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, IntDot.S, 0);
                    ShortVector n1 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, q + 32 + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, IntDot.S, 0);
                    s0 = s0.add(n0.and((short) 0xF).mul(ShortVector.fromArray(IntDot.S, xq, y + l)));
                    s1 = s1.add(n0.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).mul(ShortVector.fromArray(IntDot.S, xq, y + 32 + l)));
                    s2 = s2.add(n1.and((short) 0xF).mul(ShortVector.fromArray(IntDot.S, xq, y + 64 + l)));
                    s3 = s3.add(n1.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).mul(ShortVector.fromArray(IntDot.S, xq, y + 96 + l)));
                }
                // neighbouring shorts summed into int lanes (IntDot.pairSum; a pair fits a short, |4·15·127| < 2^15)
                IntVector v0 = s0.reinterpretAsInts(), v1 = s1.reinterpretAsInts(), v2 = s2.reinterpretAsInts(), v3 = s3.reinterpretAsInts();
                long scs = sc >>> (16 * c); // the four sub-blocks' scales, one per byte
                isum = isum.add(v0.add(v0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) scs & 0xFF))
                        .add(v1.add(v1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scs >>> 8) & 0xFF))
                        .add(v2.add(v2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scs >>> 16) & 0xFF))
                        .add(v3.add(v3.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scs >>> 24) & 0xFF));
            }
            sum += d * isum.reduceLanes(VectorOperators.ADD); // exact in any order
        }
        return sum - mins;
    }

    /**
     * Per sub-block, the exact lanes of {@link QuantizedBatch} times the sub-block scale, as the integer
     * kernel applies them, the scale folded into the unpacked weights once for all vectors; the absolute values a
     * lane sums over the super-block stay below {@code 8·63·(4·15·127) < 2^22}, so every partial sum is exact in any
     * order. The mins are the integer kernel's scalar steps, one vector per lane.
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
                long sc = KQuants.scales(w, p + 4), mn = KQuants.mins(w, p + 4); // scalar helpers before the vector code
                float d = Fp16.read(w, p), dmin = Fp16.read(w, p + 2);
                for (int sub = 0; sub < 8; sub += 2) { // a run of 32 bytes: sub-block sub in its low nibbles, sub+1 in its high
                    long q = p + 16 + 16 * sub;
                    ShortVector b0 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, q, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, IntDot.S, 0);
                    ShortVector b1 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, q + 16, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, IntDot.S, 0);
                    IntVector n0 = b0.and((short) 0xF).reinterpretAsInts(), n1 = b1.and((short) 0xF).reinterpretAsInts();
                    IntVector m0 = b0.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).reinterpretAsInts();
                    IntVector m1 = b1.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).reinterpretAsInts();
                    // the even and the odd elements of each sub-block, as the integer kernel pairs them (IntDot.pairSum),
                    // times the sub-block's scale
                    FloatVector scale0 = FloatVector.broadcast(IntDot.F, (int) (sc >>> (8 * sub)) & 0xFF);
                    FloatVector scale1 = FloatVector.broadcast(IntDot.F, (int) (sc >>> (8 * sub + 8)) & 0xFF);
                    FloatVector w0 = ((FloatVector) n0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(scale0);
                    FloatVector w1 = ((FloatVector) n0.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(scale0);
                    FloatVector w2 = ((FloatVector) n1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(scale0);
                    FloatVector w3 = ((FloatVector) n1.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(scale0);
                    FloatVector u0 = ((FloatVector) m0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(scale1);
                    FloatVector u1 = ((FloatVector) m0.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(scale1);
                    FloatVector u2 = ((FloatVector) m1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(scale1);
                    FloatVector u3 = ((FloatVector) m1.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(scale1);
                    int chunk = (b * QK + 32 * sub) / lanes, step = size * lanes, next = 4 * step; // sub+1: four chunks on
                    // every slot, the missing vectors' zeros too: a loop of constant length compiles without the
                    // range-check set-up a loop to `count` pays at each entry (10-15 % of this kernel)
                    for (int v = 0; v < QuantizedBatch.SIZE; v++) { // into the integer lanes
                        int xi = (chunk * size + v) * lanes, i = QuantizedBatch.ISUM + v * lanes;
                        FloatVector sum0 = w0.fma(FloatVector.fromArray(IntDot.F, x.q, xi), FloatVector.fromArray(IntDot.F, scratch, i));
                        sum0 = w1.fma(FloatVector.fromArray(IntDot.F, x.q, xi + step), sum0);
                        sum0 = w2.fma(FloatVector.fromArray(IntDot.F, x.q, xi + 2 * step), sum0);
                        sum0 = w3.fma(FloatVector.fromArray(IntDot.F, x.q, xi + 3 * step), sum0);
                        FloatVector sum1 = u0.mul(FloatVector.fromArray(IntDot.F, x.q, xi + next));
                        sum1 = u1.fma(FloatVector.fromArray(IntDot.F, x.q, xi + next + step), sum1);
                        sum1 = u2.fma(FloatVector.fromArray(IntDot.F, x.q, xi + next + 2 * step), sum1);
                        sum1 = u3.fma(FloatVector.fromArray(IntDot.F, x.q, xi + next + 3 * step), sum1);
                        sum0.add(sum1).intoArray(scratch, i);
                    }
                }
                QuantizedBatch.sumInto(scratch, d, x.d, b * size, count);
                x.addMins(scratch, b, mn, dmin); // after the vector code: a call, but no vector crosses it
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
        FloatVector acc0 = FloatVector.zero(Simd.F);
        FloatVector acc1 = FloatVector.zero(Simd.F);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(w, p);
            float dmin = Fp16.read(w, p + 2);
            long sc = KQuants.scales(w, p + 4), mn = KQuants.mins(w, p + 4);
            for (int c = 0; c < 4; c++) {
                FloatVector d0 = FloatVector.broadcast(Simd.F, d * KQuants.at(sc, 2 * c));
                FloatVector m0 = FloatVector.broadcast(Simd.F, -dmin * KQuants.at(mn, 2 * c));
                FloatVector d1 = FloatVector.broadcast(Simd.F, d * KQuants.at(sc, 2 * c + 1));
                FloatVector m1 = FloatVector.broadcast(Simd.F, -dmin * KQuants.at(mn, 2 * c + 1));
                int xc = xOffset + b * QK + 64 * c;
                for (int l = 0; l < 32; l += Simd.BL) {
                    ByteVector q = ByteVector.fromMemorySegment(Simd.B, w, p + 16 + 32 * c + l, ByteOrder.LITTLE_ENDIAN);
                    ByteVector lo = q.and((byte) 0xF);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
                    for (int part = 0; part < Simd.PARTS; part++) {
                        int xi = xc + l + part * Simd.FL;
                        acc0 = Simd.toFloat(lo, part).fma(d0, m0).fma(FloatVector.fromArray(Simd.F, x, xi), acc0);
                        acc1 = Simd.toFloat(hi, part).fma(d1, m1).fma(FloatVector.fromArray(Simd.F, x, xi + 32), acc1);
                    }
                }
            }
        }
        return Simd.sum(acc0.add(acc1));
    }

    /** A simple min/max quantizer ({@link KQuants#quantizeScaleMin}), not ggml's optimizing one. */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        int[] q = new int[QK];
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            KQuants.quantizeScaleMin(src, srcOffset + b * QK, 15, dst, p, q);
            for (int c = 0; c < 4; c++) {
                for (int l = 0; l < 32; l++) {
                    Blocks.put8(dst, p + 16 + 32 * c + l, q[64 * c + l] | (q[64 * c + 32 + l] << 4));
                }
            }
        }
    }
}
