package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.util.Arrays;

/**
 * Up to {@link #SIZE} quantized activation vectors laid out for {@link QuantFormat#dotQuantized8}, which multiplies a
 * weight row with all of them at once: each weight block is loaded and unpacked once instead of once per vector.
 *
 * <p><b>Same bits as one vector at a time.</b> {@link QuantFormat#dotQuantized} sums the products of a block in
 * integer lanes, lane {@code j} holding elements {@code 2j} and {@code 2j+1} of each aligned run of
 * {@code 2·LANES} elements ({@link IntDot#pairSum}), then takes {@code acc = float(lanes) · (dw·dx) + acc}. The
 * batched kernels rebuild those lanes with float multiply-adds of the 8-bit values, one chunk of the even and one of
 * the odd elements per run: every partial sum is an integer below 2^24, so each is exact whatever the order, the
 * lane values equal the integer kernel's, and the float steps after them are the same operations on the same values.
 * Each kernel states its bound. (The kernels are written out in full, not through shared helpers taking vectors: a
 * helper that several kernels call gets compiled on its own, is then refused for inlining, "already compiled into a
 * big method", and its vector arguments are boxed at every call, several times slower.)
 *
 * <p>Layout: the quants as floats, chunk {@code k} of vector {@code v} at {@code q[(k·SIZE + v)·LANES ..]}, chunk
 * {@code 2m} holding the even and {@code 2m+1} the odd elements of run {@code m}, so one chunk of all vectors is 256
 * contiguous bytes; the block scales {@code d[b·SIZE + v]}; for the K-quant mins, the 32-element sums
 * {@code sums32[g·SIZE + v]}. Missing vectors are zeros. Allocated once and reused, grown as needed; not
 * thread-safe while packing, read by many threads after.
 */
public final class QuantizedBatch {
    /** Vectors per batch. */
    public static final int SIZE = 8;
    /** Lanes of the integer kernels' accumulators, and so the width of a chunk. */
    static final int LANES = IntDot.F.length();
    /** Where a kernel keeps, in its scratch: the accumulators, the integer lanes (K-quants), the mins. */
    static final int ACC = 0, ISUM = SIZE * LANES, MINS = 2 * SIZE * LANES;
    /** Floats of scratch a {@link QuantFormat#dotQuantized8} call needs. */
    public static final int SCRATCH = MINS + SIZE;
    /** Floats of state per row between column blocks: the accumulators, then the mins. */
    public static final int STATE = SIZE * LANES + SIZE;
    /** Whether a run is 16 elements (256-bit vectors): the shape the batched kernels are written and bounded for. */
    static final boolean FOUR_CHUNKS = LANES == 8;

    private int count, length, blockSize;
    float[] q = new float[0], d = new float[0];
    int[] sums32 = new int[0];

    /** Packs {@code xs[first .. first+count)}, {@code count <= SIZE}, all quantized alike to the same length. */
    public void pack(QuantizedActivations[] xs, int first, int count) {
        if (count < 1 || count > SIZE) throw new IllegalArgumentException("1.." + SIZE + " vectors, got " + count);
        QuantizedActivations x0 = xs[first];
        this.count = count;
        this.length = x0.length();
        this.blockSize = x0.blockSize();
        int blocks = length / blockSize, groups = length / 32;
        if (q.length < length * SIZE) q = new float[length * SIZE];
        if (d.length < blocks * SIZE) d = new float[blocks * SIZE];
        if (blockSize != 32 && sums32.length < groups * SIZE) sums32 = new int[groups * SIZE];
        for (int v = 0; v < SIZE; v++) {
            QuantizedActivations x = v < count ? xs[first + v] : null;
            if (x != null && (x.length() != length || x.blockSize() != blockSize)) {
                throw new IllegalArgumentException("vectors quantized differently");
            }
            for (int k = 0; k < length / LANES; k++) {
                int o = (k * SIZE + v) * LANES, run = (k / 2) * 2 * LANES + k % 2; // even, then odd elements
                if (x == null) Arrays.fill(q, o, o + LANES, 0f);
                else for (int i = 0; i < LANES; i++) q[o + i] = x.qs[run + 2 * i];
            }
            for (int b = 0; b < blocks; b++) d[b * SIZE + v] = x == null ? 0 : x.d[b];
            if (blockSize != 32) {
                for (int g = 0; g < groups; g++) sums32[g * SIZE + v] = x == null ? 0 : x.sums32[g];
            }
        }
    }

    /** Vectors packed by the last {@link #pack}. */
    public int count() {
        return count;
    }

    void check(int blockSize, int n) {
        if (this.blockSize != blockSize) {
            throw new IllegalArgumentException("activations quantized in blocks of " + this.blockSize + ", need " + blockSize);
        }
        if (n > length) throw new IllegalArgumentException("row of " + n + " elements, activations hold " + length);
    }

    /**
     * The product of row {@code row} with vector {@code v} once its state has seen every column: the accumulator's
     * lanes summed and the mins taken off, as {@link QuantFormat#dotQuantized} finishes (no mins: zero, which takes
     * nothing off, not even a sign).
     */
    public static float result(float[] state, int row, int v) {
        int s = row * STATE;
        return IntDot.sum(state, s + v * LANES) - state[s + SIZE * LANES + v];
    }

    /** Row {@code row}'s state into the kernel's scratch (accumulators and mins), its integer lanes cleared. */
    static void load(float[] state, int row, float[] scratch) {
        System.arraycopy(state, row * STATE, scratch, ACC, SIZE * LANES);
        System.arraycopy(state, row * STATE + SIZE * LANES, scratch, MINS, SIZE);
        Arrays.fill(scratch, ISUM, ISUM + SIZE * LANES, 0f);
    }

    /** The kernel's scratch back into row {@code row}'s state. */
    static void store(float[] scratch, float[] state, int row) {
        System.arraycopy(scratch, ACC, state, row * STATE, SIZE * LANES);
        System.arraycopy(scratch, MINS, state, row * STATE + SIZE * LANES, SIZE);
    }

    /**
     * The K-quant mins of super-block {@code b} for all vectors at once, lane {@code v} doing the integer kernel's
     * scalar steps for vector {@code v}: {@code mins_v += dmin·d[b·SIZE + v]·Σ_j m_j·sums32[(8b + j)·SIZE + v]}, with
     * {@code m_j} byte {@code j} of {@code packedMins} ({@link KQuants#mins}).
     */
    void addMins(float[] scratch, int b, long packedMins, float dmin) {
        IntVector summ = IntVector.zero(IntDot.I);
        for (int j = 0; j < 8; j++) {
            summ = summ.add(IntVector.fromArray(IntDot.I, sums32, (8 * b + j) * SIZE).mul((int) (packedMins >>> (8 * j)) & 0xFF));
        }
        FloatVector m = FloatVector.broadcast(IntDot.F, dmin).mul(FloatVector.fromArray(IntDot.F, d, b * SIZE))
                .mul((FloatVector) summ.convert(VectorOperators.I2F, 0));
        FloatVector.fromArray(IntDot.F, scratch, MINS).add(m).intoArray(scratch, MINS);
    }

    /**
     * For every vector: the int total of its integer lanes (exact floats, converted back exactly), then
     * {@code acc_v += scale·d[db + v]·total} in scalar floats, in lane 0 of its accumulator, as the K-quant integer
     * kernels end a super-block; then the integer lanes cleared.
     */
    static void sumInto(float[] s, float scale, float[] d, int db, int count) {
        for (int v = 0; v < count; v++) {
            int i = ISUM + v * LANES;
            int total = ((IntVector) FloatVector.fromArray(IntDot.F, s, i).convert(VectorOperators.F2I, 0))
                    .reduceLanes(VectorOperators.ADD);
            s[ACC + v * LANES] += scale * d[db + v] * total;
        }
        Arrays.fill(s, ISUM, ISUM + SIZE * LANES, 0f);
    }
}
