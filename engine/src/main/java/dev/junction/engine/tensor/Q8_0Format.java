package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Q8_0: blocks of 32 elements in 34 bytes: {@code half d; int8 qs[32]}; element {@code i} is {@code qs[i] * d}.
 */
public final class Q8_0Format implements QuantFormat {
    public static final Q8_0Format INSTANCE = new Q8_0Format();
    private static final int QK = 32;
    private static final int BYTES = 34;
    private static final VectorSpecies<Float> F = IntDot.F;

    private Q8_0Format() {}

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * BYTES;
            float d = Fp16.read(src, p);
            int y = dstOffset + b * QK;
            for (int j = 0; j < QK; j++) dst[y + j] = Blocks.i8(src, p + 2 + j) * d;
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
            for (int j = 0; j < QK; j++) sumi += Blocks.i8(w, p + 2 + j) * x.qs[b * QK + j];
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
            IntVector isum = IntVector.zero(IntDot.I);
            for (int j = 0; j < QK; j += 2 * IntDot.SL) {
                ShortVector p0 = IntDot.widen(ByteVector.fromMemorySegment(IntDot.B, w, p + 2 + j, ByteOrder.LITTLE_ENDIAN))
                        .mul(ShortVector.fromArray(IntDot.S, xq, xi + j));
                ShortVector p1 = IntDot.widen(ByteVector.fromMemorySegment(IntDot.B, w, p + 2 + j + IntDot.SL, ByteOrder.LITTLE_ENDIAN))
                        .mul(ShortVector.fromArray(IntDot.S, xq, xi + j + IntDot.SL));
                isum = isum.add(IntDot.pairSum(p0.add(p1))); // |2·128·127| fits a short
            }
            FloatVector f = (FloatVector) isum.convert(VectorOperators.I2F, 0);
            acc = f.fma(FloatVector.broadcast(IntDot.F, Fp16.read(w, p) * xd[b]), acc);
        }
        return IntDot.sum(acc);
    }

    /**
     * Per block, the exact lanes of {@link QuantizedBatch}: at most 4·128·127 in magnitude. Up to four vectors
     * in one pass, their accumulators in registers; five to eight in {@link #dotQuantizedEight}. (Written out, not
     * through a helper: past C2's node budget a helper is no longer inlined and its vector arguments are boxed.)
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
            FloatVector a0 = FloatVector.fromArray(F, state, s), a1 = FloatVector.fromArray(F, state, s + lanes);
            FloatVector a2 = FloatVector.fromArray(F, state, s + 2 * lanes), a3 = FloatVector.fromArray(F, state, s + 3 * lanes);
            for (int b = from / QK; b < to / QK; b++) {
                long p = offset + r * rowBytes + (long) b * BYTES;
                ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + 2, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, IntDot.S, 0);
                ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + 18, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, IntDot.S, 0);
                // the even and the odd elements of the run, as the integer kernel pairs them (IntDot.pairSum)
                FloatVector w0 = (FloatVector) q0.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector w1 = (FloatVector) q0.reinterpretAsInts().lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0);
                FloatVector w2 = (FloatVector) q1.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector w3 = (FloatVector) q1.reinterpretAsInts().lanewise(VectorOperators.ASHR, 16)
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
     * {@link #dotQuantized8} for a full group: each block unpacked once for all eight vectors (see
     * {@link Q4_0Format}).
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
                ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + 2, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, IntDot.S, 0);
                ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(IntDot.B, w, p + 18, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, IntDot.S, 0);
                FloatVector w0 = (FloatVector) q0.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector w1 = (FloatVector) q0.reinterpretAsInts().lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0);
                FloatVector w2 = (FloatVector) q1.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                        .lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                FloatVector w3 = (FloatVector) q1.reinterpretAsInts().lanewise(VectorOperators.ASHR, 16)
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
            // Σ q·x over the block first, then one multiply by the block scale.
            FloatVector block = FloatVector.zero(Simd.F);
            for (int j = 0; j < QK; j += Simd.BL) {
                ByteVector q = ByteVector.fromMemorySegment(Simd.B, w, p + 2 + j, ByteOrder.LITTLE_ENDIAN);
                for (int part = 0; part < Simd.PARTS; part++) {
                    FloatVector xv = FloatVector.fromArray(Simd.F, x, xb + j + part * Simd.FL);
                    block = Simd.toFloat(q, part).fma(xv, block);
                }
            }
            acc = block.fma(FloatVector.broadcast(Simd.F, Fp16.read(w, p)), acc);
        }
        return Simd.sum(acc);
    }

    /** As ggml's {@code quantize_row_q8_0_ref}: {@code d = max|x| / 127}, {@code q = roundf(x / d)}. */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset) {
        int nb = Blocks.blocks(type(), n);
        for (int b = 0; b < nb; b++) {
            int s = srcOffset + b * QK;
            long p = offset + (long) b * BYTES;
            float amax = 0;
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(src[s + j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Fp16.write(dst, p, d);
            for (int j = 0; j < QK; j++) Blocks.put8(dst, p + 2 + j, Blocks.roundHalfAway(src[s + j] * id));
        }
    }
}
