package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q4_0: blocks of 32 elements in 18 bytes: {@code half d; uint8 qs[16]}. Byte {@code j} holds element {@code j} in
 * its low nibble and element {@code j+16} in its high nibble; an element is {@code (nibble - 8) * d}.
 */
public final class Q4_0Format implements QuantFormat {
    public static final Q4_0Format INSTANCE = new Q4_0Format();
    private static final int QK = 32;
    private static final int BYTES = 18;
    private static final VectorSpecies<Float> F = IntDot.F;

    private Q4_0Format() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p);
            int y = dstOffset + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, p + 2 + j);
                dst[y + j] = ((q & 0xF) - 8) * d;
                dst[y + j + QK / 2] = ((q >>> 4) - 8) * d;
            }
        }
    }

    @Override
    public boolean quantizesActivations() {
        return true;
    }

    @Override
    public float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            int sumi = 0;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(w, p + 2 + j);
                sumi += ((q & 0xF) - 8) * x.qs[b * QK + j] + ((q >>> 4) - 8) * x.qs[b * QK + j + QK / 2];
            }
            sum += sumi * (Fp16.read(w, p) * x.d[b]);
        }
        return sum;
    }

    @Override
    public float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type(), n);
        IntDot.checkActivations(x, QK, n);
        short[] xq = x.qs;
        float[] xd = x.d;
        FloatVector acc = FloatVector.zero(IntDot.F);
        for (int b = 0; b < nb; b++) { // small enough for C2 to inline the IntDot helpers: see QuantFormat
            long p = offset + (long) b * BYTES;
            int xi = b * QK;
            ShortVector s = ShortVector.zero(IntDot.S);
            for (int j = 0; j < QK / 2; j += IntDot.SL) {
                ShortVector q = IntDot.widen(ByteVector.fromMemorySegment(IntDot.B, w, p + 2 + j, ByteOrder.LITTLE_ENDIAN));
                ShortVector lo = q.and((short) 0xF).sub((short) 8); // nibbles in 16-bit lanes: x86 has no byte shifts
                ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8);
                s = s.add(lo.mul(ShortVector.fromArray(IntDot.S, xq, xi + j)))
                        .add(hi.mul(ShortVector.fromArray(IntDot.S, xq, xi + j + QK / 2)));
            }
            acc = IntDot.scaled(s, Fp16.read(w, p) * xd[b], acc);
        }
        return IntDot.sum(acc);
    }

    /**
     * Per block, the exact lanes of {@link QuantizedBatch}: at most 4·8·127 in magnitude. Up to four vectors
     * in one pass, their accumulators in registers; a group of five to eight goes to {@link #dotQuantizedEight}
     * (written out: see {@link Q8_0Format#dotQuantized8}).
     */
    @Override
    public void dotQuantized8(MemorySegment w, long offset, long rowBytes, int rows, QuantizedBatch x, int from, int to,
                              float[] state, float[] scratch) {
        x.check(QK, to);
        if (x.count() > 4) {
            dotQuantizedEight(w, offset, rowBytes, rows, x, from, to, state);
            return;
        }
        int lanes = QuantizedBatch.LANES, step = QuantizedBatch.SIZE * lanes;
        float[] q = x.q, d = x.d;
        for (int r = 0; r < rows; r++) { // vectors 0-3 (those beyond the count are zeros)
            int s = r * QuantizedBatch.STATE;
            FloatVector a0 = FloatVector.fromArray(IntDot.F, state, s), a1 = FloatVector.fromArray(IntDot.F, state, s + lanes);
            FloatVector a2 = FloatVector.fromArray(IntDot.F, state, s + 2 * lanes), a3 = FloatVector.fromArray(IntDot.F, state, s + 3 * lanes);
            for (int b = from / QK; b < to / QK; b++) {
                long p = offset + r * rowBytes + (long) b * BYTES;
                // the integer kernel's nibbles, in 16-bit lanes
                ShortVector qs = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + 2, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, IntDot.S, 0);
                ShortVector lo = qs.and((short) 0xF).sub((short) 8), hi = qs.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8);
                // the even and the odd elements of the run, as the integer kernel pairs them (IntDot.pairSum)
                FloatVector w0 = (FloatVector) lo.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector w1 = (FloatVector) lo.reinterpretAsInts().lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0);
                FloatVector w2 = (FloatVector) hi.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector w3 = (FloatVector) hi.reinterpretAsInts().lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0);
                FloatVector dw = FloatVector.broadcast(F, Fp16.read(w, p)); // lanes · (dw·dx) + acc, per vector
                int xi = 4 * b * QuantizedBatch.SIZE * lanes, db = b * QuantizedBatch.SIZE;
                int x0 = xi;
                a0 = w3.fma(FloatVector.fromArray(F, q, x0 + 3 * step), w2.fma(FloatVector.fromArray(F, q, x0 + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, x0 + step), w0.mul(FloatVector.fromArray(F, q, x0)))))
                        .fma(dw.mul(d[db]), a0);
                int x1 = xi + lanes;
                a1 = w3.fma(FloatVector.fromArray(F, q, x1 + 3 * step), w2.fma(FloatVector.fromArray(F, q, x1 + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, x1 + step), w0.mul(FloatVector.fromArray(F, q, x1)))))
                        .fma(dw.mul(d[db + 1]), a1);
                int x2 = xi + 2 * lanes;
                a2 = w3.fma(FloatVector.fromArray(F, q, x2 + 3 * step), w2.fma(FloatVector.fromArray(F, q, x2 + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, x2 + step), w0.mul(FloatVector.fromArray(F, q, x2)))))
                        .fma(dw.mul(d[db + 2]), a2);
                int x3 = xi + 3 * lanes;
                a3 = w3.fma(FloatVector.fromArray(F, q, x3 + 3 * step), w2.fma(FloatVector.fromArray(F, q, x3 + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, x3 + step), w0.mul(FloatVector.fromArray(F, q, x3)))))
                        .fma(dw.mul(d[db + 3]), a3);
            }
            a0.intoArray(state, s);
            a1.intoArray(state, s + lanes);
            a2.intoArray(state, s + 2 * lanes);
            a3.intoArray(state, s + 3 * lanes);
        }
    }

    /**
     * {@link #dotQuantized8} for a full group: each block unpacked once for all eight vectors (1.16× faster per vector
     * than twice for four; the four-vector loop stays for groups of four, which this would double).
     */
    private void dotQuantizedEight(MemorySegment w, long offset, long rowBytes, int rows, QuantizedBatch x, int from, int to,
                                 float[] state) {
        int lanes = QuantizedBatch.LANES, step = QuantizedBatch.SIZE * lanes;
        float[] q = x.q, d = x.d;
        for (int r = 0; r < rows; r++) {
            int s = r * QuantizedBatch.STATE;
            FloatVector a0 = FloatVector.fromArray(IntDot.F, state, s), a1 = FloatVector.fromArray(IntDot.F, state, s + lanes);
            FloatVector a2 = FloatVector.fromArray(IntDot.F, state, s + 2 * lanes), a3 = FloatVector.fromArray(IntDot.F, state, s + 3 * lanes);
            FloatVector a4 = FloatVector.fromArray(IntDot.F, state, s + 4 * lanes), a5 = FloatVector.fromArray(IntDot.F, state, s + 5 * lanes);
            FloatVector a6 = FloatVector.fromArray(IntDot.F, state, s + 6 * lanes), a7 = FloatVector.fromArray(IntDot.F, state, s + 7 * lanes);
            for (int b = from / QK; b < to / QK; b++) {
                long p = offset + r * rowBytes + (long) b * BYTES;
                ShortVector qs = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + 2, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, IntDot.S, 0);
                ShortVector lo = qs.and((short) 0xF).sub((short) 8), hi = qs.lanewise(VectorOperators.ASHR, 4).and((short) 0xF).sub((short) 8);
                FloatVector w0 = (FloatVector) lo.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector w1 = (FloatVector) lo.reinterpretAsInts().lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0);
                FloatVector w2 = (FloatVector) hi.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector w3 = (FloatVector) hi.reinterpretAsInts().lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0);
                float dw = Fp16.read(w, p);
                int xi = 4 * b * step, db = b * QuantizedBatch.SIZE;
                a0 = w3.fma(FloatVector.fromArray(F, q, xi + 3 * step), w2.fma(FloatVector.fromArray(F, q, xi + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, xi + step), w0.mul(FloatVector.fromArray(F, q, xi)))))
                        .fma(FloatVector.broadcast(F, dw * d[db]), a0);
                a1 = w3.fma(FloatVector.fromArray(F, q, xi + lanes + 3 * step), w2.fma(FloatVector.fromArray(F, q, xi + lanes + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, xi + lanes + step), w0.mul(FloatVector.fromArray(F, q, xi + lanes)))))
                        .fma(FloatVector.broadcast(F, dw * d[db + 1]), a1);
                a2 = w3.fma(FloatVector.fromArray(F, q, xi + 2 * lanes + 3 * step), w2.fma(FloatVector.fromArray(F, q, xi + 2 * lanes + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, xi + 2 * lanes + step), w0.mul(FloatVector.fromArray(F, q, xi + 2 * lanes)))))
                        .fma(FloatVector.broadcast(F, dw * d[db + 2]), a2);
                a3 = w3.fma(FloatVector.fromArray(F, q, xi + 3 * lanes + 3 * step), w2.fma(FloatVector.fromArray(F, q, xi + 3 * lanes + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, xi + 3 * lanes + step), w0.mul(FloatVector.fromArray(F, q, xi + 3 * lanes)))))
                        .fma(FloatVector.broadcast(F, dw * d[db + 3]), a3);
                a4 = w3.fma(FloatVector.fromArray(F, q, xi + 4 * lanes + 3 * step), w2.fma(FloatVector.fromArray(F, q, xi + 4 * lanes + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, xi + 4 * lanes + step), w0.mul(FloatVector.fromArray(F, q, xi + 4 * lanes)))))
                        .fma(FloatVector.broadcast(F, dw * d[db + 4]), a4);
                a5 = w3.fma(FloatVector.fromArray(F, q, xi + 5 * lanes + 3 * step), w2.fma(FloatVector.fromArray(F, q, xi + 5 * lanes + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, xi + 5 * lanes + step), w0.mul(FloatVector.fromArray(F, q, xi + 5 * lanes)))))
                        .fma(FloatVector.broadcast(F, dw * d[db + 5]), a5);
                a6 = w3.fma(FloatVector.fromArray(F, q, xi + 6 * lanes + 3 * step), w2.fma(FloatVector.fromArray(F, q, xi + 6 * lanes + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, xi + 6 * lanes + step), w0.mul(FloatVector.fromArray(F, q, xi + 6 * lanes)))))
                        .fma(FloatVector.broadcast(F, dw * d[db + 6]), a6);
                a7 = w3.fma(FloatVector.fromArray(F, q, xi + 7 * lanes + 3 * step), w2.fma(FloatVector.fromArray(F, q, xi + 7 * lanes + 2 * step),
                        w1.fma(FloatVector.fromArray(F, q, xi + 7 * lanes + step), w0.mul(FloatVector.fromArray(F, q, xi + 7 * lanes)))))
                        .fma(FloatVector.broadcast(F, dw * d[db + 7]), a7);
            }
            a0.intoArray(state, s);
            a1.intoArray(state, s + lanes);
            a2.intoArray(state, s + 2 * lanes);
            a3.intoArray(state, s + 3 * lanes);
            a4.intoArray(state, s + 4 * lanes);
            a5.intoArray(state, s + 5 * lanes);
            a6.intoArray(state, s + 6 * lanes);
            a7.intoArray(state, s + 7 * lanes);
        }
    }

    @Override
    public int batchUnit() {
        return 4;
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
            int xb = xOffset + b * QK;
            FloatVector block = FloatVector.zero(Simd.F);
            for (int j = 0; j < QK / 2; j += Simd.BL) {
                ByteVector q = ByteVector.fromMemorySegment(Simd.B, w, p + 2 + j, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0xF).sub((byte) 8);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                for (int part = 0; part < Simd.PARTS; part++) {
                    int xi = xb + j + part * Simd.FL;
                    block = Simd.toFloat(lo, part).fma(FloatVector.fromArray(Simd.F, x, xi), block);
                    block = Simd.toFloat(hi, part).fma(FloatVector.fromArray(Simd.F, x, xi + QK / 2), block);
                }
            }
            acc = block.fma(FloatVector.broadcast(Simd.F, Fp16.read(w, p)), acc);
        }
        return Simd.sum(acc);
    }

    /**
     * As ggml's {@code quantize_row_q4_0_ref}: {@code d = m / -8} where {@code m} is the element of largest
     * magnitude (so it maps to nibble 0), nibble {@code = min(15, trunc(x/d + 8.5))}.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            int s = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            float amax = 0, max = 0;
            for (int j = 0; j < QK; j++) {
                float v = src[s + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Fp16.write(dst, p, d);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (int) (src[s + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (src[s + j + QK / 2] * id + 8.5f));
                Blocks.put8(dst, p + 2 + j, q0 | (q1 << 4));
            }
        }
    }
}
