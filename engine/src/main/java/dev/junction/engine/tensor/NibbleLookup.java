package dev.junction.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The arithmetic shared by the formats whose blocks of 32 are four-bit indices into a table of sixteen int8 values
 * with one scale per block (IQ4_NL, MXFP4): after the scale's {@code header} bytes, byte {@code j} of the 16 holds
 * element {@code j}'s index in its low nibble and element {@code j+16}'s in its high nibble. The vector kernels look
 * the table up with one byte shuffle of a 16-lane vector ({@link #B16}, x86's {@code pshufb}), then widen.
 */
final class NibbleLookup {
    /** The 16-lane byte species of the table lookup, whatever the machine's widest vectors. */
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;

    /** Reads a block's scale. */
    interface Scale {
        float at(MemorySegment w, long p);
    }

    private final GgmlType type;
    private final byte[] table;
    private final int header;
    private final Scale scale;

    NibbleLookup(GgmlType type, byte[] table, int header, Scale scale) {
        if (table.length != 16 || header + 16 != type.blockBytes) throw new IllegalArgumentException("not a nibble table layout");
        this.type = type;
        this.table = table.clone();
        this.header = header;
        this.scale = scale;
    }

    /** Table entry {@code i}. */
    int value(int i) {
        return table[i];
    }

    void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n) {
        int nb = Blocks.blocks(type, n);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * type.blockBytes;
            float d = scale.at(src, p);
            int y = dstOffset + 32 * b;
            for (int j = 0; j < 16; j++) {
                int q = Blocks.u8(src, p + header + j);
                dst[y + j] = d * table[q & 0xF];
                dst[y + j + 16] = d * table[q >>> 4];
            }
        }
    }

    /** As ggml: per block {@code dw·dx·Σ t[q]·a}, the sum in integers. */
    float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type, n);
        IntDot.checkActivations(x, 32, n);
        float sum = 0;
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * type.blockBytes;
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = Blocks.u8(w, p + header + j);
                sumi += table[q & 0xF] * x.qs[32 * b + j] + table[q >>> 4] * x.qs[32 * b + j + 16];
            }
            sum += scale.at(w, p) * x.d[b] * sumi;
        }
        return sum;
    }

    /**
     * Per block the integer sum in 16-bit lanes, the low and the high nibbles' products each summed in pairs into int
     * lanes apart ({@code 2·127·127 < 2^15}, four would not fit), then {@code acc += float(lanes)·(dw·dx)}.
     */
    float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        int nb = Blocks.blocks(type, n);
        IntDot.checkActivations(x, 32, n);
        ByteVector t = ByteVector.fromArray(B16, table, 0);
        short[] xq = x.qs;
        float[] xd = x.d;
        FloatVector acc = FloatVector.zero(IntDot.F);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * type.blockBytes;
            float d = scale.at(w, p) * xd[b]; // scalar before the vector code
            ByteVector q = ByteVector.fromMemorySegment(B16, w, p + header, ByteOrder.LITTLE_ENDIAN);
            ByteVector lo = q.and((byte) 0xF).selectFrom(t), hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t);
            IntVector isum = IntVector.zero(IntDot.I);
            for (int part = 0; part < 16 / IntDot.SL; part++) {
                ShortVector l = (ShortVector) lo.convertShape(VectorOperators.B2S, IntDot.S, part);
                ShortVector h = (ShortVector) hi.convertShape(VectorOperators.B2S, IntDot.S, part);
                IntVector pl = l.mul(ShortVector.fromArray(IntDot.S, xq, 32 * b + part * IntDot.SL)).reinterpretAsInts();
                IntVector ph = h.mul(ShortVector.fromArray(IntDot.S, xq, 32 * b + 16 + part * IntDot.SL)).reinterpretAsInts();
                isum = isum.add(pl.lanewise(VectorOperators.ASHR, 16)).add(pl.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .add(ph.lanewise(VectorOperators.ASHR, 16)).add(ph.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            }
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(IntDot.F, d), acc);
        }
        return IntDot.sum(acc);
    }

    float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int nb = Blocks.blocks(type, n);
        ByteVector t = ByteVector.fromArray(B16, table, 0);
        FloatVector acc = FloatVector.zero(Simd.F);
        for (int b = 0; b < nb; b++) {
            long p = offset + (long) b * type.blockBytes;
            float d = scale.at(w, p);
            int xb = xOffset + 32 * b;
            ByteVector q = ByteVector.fromMemorySegment(B16, w, p + header, ByteOrder.LITTLE_ENDIAN);
            ByteVector lo = q.and((byte) 0xF).selectFrom(t), hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(t);
            FloatVector block = FloatVector.zero(Simd.F);
            for (int part = 0; part < 16 / Simd.FL; part++) {
                int xi = xb + part * Simd.FL;
                block = ((FloatVector) lo.convertShape(VectorOperators.B2F, Simd.F, part)).fma(FloatVector.fromArray(Simd.F, x, xi), block);
                block = ((FloatVector) hi.convertShape(VectorOperators.B2F, Simd.F, part)).fma(FloatVector.fromArray(Simd.F, x, xi + 16), block);
            }
            acc = block.fma(FloatVector.broadcast(Simd.F, d), acc);
        }
        return Simd.sum(acc);
    }

    /** The index of the table entry nearest {@code v} (the first of equals). */
    int nearest(float v) {
        int best = 0;
        float bestErr = Float.MAX_VALUE;
        for (int i = 0; i < 16; i++) {
            float err = Math.abs(v - table[i]);
            if (err < bestErr) {
                bestErr = err;
                best = i;
            }
        }
        return best;
    }

    /** Writes the 16 index bytes of 32 elements {@code src[s ..]} against scale {@code d} at byte {@code at}. */
    void putIndices(float[] src, int s, float d, MemorySegment dst, long at) {
        for (int j = 0; j < 16; j++) {
            int lo = nearest(d != 0 ? src[s + j] / d : 0), hi = nearest(d != 0 ? src[s + j + 16] / d : 0);
            Blocks.put8(dst, at + j, lo | (hi << 4));
        }
    }
}
