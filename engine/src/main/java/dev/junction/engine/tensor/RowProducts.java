package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

/**
 * The one recipe by which every weight type multiplies a row with an activation vector in batched products
 * ({@link QuantFormat#dotRows}, {@link QuantFormat#dotRows8}), so that a row's product with a vector is the same
 * bits whatever the batch it is computed in and whichever kernel computes it:
 * <ol>
 *   <li>the row's elements are the floats {@link QuantFormat#dequantize} gives (decoded in registers);</li>
 *   <li>one accumulator of {@link #LANES} lanes per (row, vector) takes {@code acc = w·x + acc} (one fused
 *       multiply-add) for each {@link #LANES}-element chunk of columns, in column order;</li>
 *   <li>the product is the accumulator's lanes summed in lane order ({@link #finish}), plus, for the float types
 *       whose column count is not a multiple of {@link #LANES}, the last elements' {@code w·x} in column order.</li>
 * </ol>
 * Kernels differ only in how they share work: one vector against many rows ({@code dotRows}, the rows' chains
 * interleaved), or one row against {@link #GROUP} vectors ({@code dotRows8}: each weight chunk decoded once and
 * used eight times). Every step is IEEE arithmetic with a single rounding, so the interpreter, C1 and C2 agree too.
 * (The Vector API's {@code reduceLanes(ADD)} is not used: its order is unspecified and does differ between the JIT
 * and the interpreter.)
 *
 * <p>Accumulators and packed vectors live in arrays the caller owns ({@code dev.junction.engine.kernel.MatMul}),
 * so a chain can be continued over column blocks: storing and reloading a vector is exact.
 */
public final class RowProducts {
    private RowProducts() {}

    /** Lanes of one accumulator, and the width of a chunk of columns: the CPU's float vector length. */
    public static final int LANES = Simd.FL;
    /** Vectors multiplied together by {@link QuantFormat#dotRows8}. */
    public static final int GROUP = 8;

    /** Per thread: one row's columns, expanded, for the generic kernels. */
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    /** The columns {@code [0, n)} of a row that the kernels cover: whole chunks; the rest is the scalar tail. */
    public static int chunkedColumns(int n) {
        return n - n % LANES;
    }

    /**
     * Copies up to {@link #GROUP} vectors ({@code x[first*stride ..]}, {@code count} of them) into {@code dst} in the
     * layout {@link QuantFormat#dotRows8} reads: element {@code i} of vector {@code v} at
     * {@code dst[dstOffset + ((i / LANES) * GROUP + v) * LANES + i % LANES]}, over the chunked columns of {@code n};
     * missing vectors are zeros. Takes {@code chunkedColumns(n) * GROUP} floats.
     */
    public static void pack(float[] x, int stride, int first, int count, int n, float[] dst, int dstOffset) {
        int chunks = chunkedColumns(n) / LANES;
        for (int v = 0; v < GROUP; v++) {
            int src = (first + v) * stride;
            for (int k = 0; k < chunks; k++) {
                int d = dstOffset + (k * GROUP + v) * LANES;
                if (v < count) System.arraycopy(x, src + k * LANES, dst, d, LANES);
                else java.util.Arrays.fill(dst, d, d + LANES, 0f);
            }
        }
    }

    /** The accumulator at {@code acc[offset ..]} summed in lane order: a product without its tail. */
    public static float finish(float[] acc, int offset) {
        float sum = acc[offset];
        for (int i = 1; i < LANES; i++) sum += acc[offset + i];
        return sum;
    }

    /** Σ w[i]·x[xOffset + i] over {@code i} in {@code [from, n)}, in order: the tail of a float-type row. */
    public static float tail(QuantFormat f, MemorySegment w, long rowOffset, float[] x, int xOffset, int from, int n) {
        float sum = 0;
        if (from == n) return sum;
        float[] row = row(n - from);
        f.dequantize(w, rowOffset + f.type().bytesFor(from), row, 0, n - from);
        for (int i = from; i < n; i++) sum += row[i - from] * x[xOffset + i];
        return sum;
    }

    private static float[] row(int n) {
        float[] row = ROW.get();
        if (row.length < n) ROW.set(row = new float[Math.max(n, 2 * row.length)]);
        return row;
    }

    /** {@link QuantFormat#dotRows} for any format: each row's columns expanded with {@link QuantFormat#expand}. */
    static void dotRows(QuantFormat f, MemorySegment w, long offset, long rowBytes, int rows, float[] x, int xOffset,
                        int from, int to, float[] acc, int accOffset) {
        float[] row = row(to - from);
        long start = f.type().bytesFor(from);
        for (int r = 0; r < rows; r++) {
            f.expand(w, offset + r * rowBytes + start, row, 0, to - from);
            int a = accOffset + r * LANES;
            FloatVector sum = FloatVector.fromArray(Simd.F, acc, a);
            for (int i = 0; i < to - from; i += LANES) {
                sum = FloatVector.fromArray(Simd.F, row, i).fma(FloatVector.fromArray(Simd.F, x, xOffset + from + i), sum);
            }
            sum.intoArray(acc, a);
        }
    }

    /**
     * {@link QuantFormat#dotRows8} for every format: each row's columns are expanded to floats once
     * ({@link QuantFormat#expand}, 2 KiB that stay in L1) and each chunk then serves the eight vectors, the
     * accumulators held in registers.
     */
    static void dotRows8(QuantFormat f, MemorySegment w, long offset, long rowBytes, int rows, float[] x8, int x8Offset,
                         int from, int to, float[] acc, int accOffset) {
        float[] row = row(to - from);
        long start = f.type().bytesFor(from);
        for (int r = 0; r < rows; r++) {
            f.expand(w, offset + r * rowBytes + start, row, 0, to - from);
            dotRow8(row, to - from, x8, x8Offset + from * GROUP, acc, accOffset + r * GROUP * LANES);
        }
    }

    /** Eight accumulators at {@code acc[a ..]} continued over {@code n} floats of {@code w} and the packed {@code x8[x ..]}. */
    private static void dotRow8(float[] w, int n, float[] x8, int x, float[] acc, int a) {
        final int l = LANES;
        FloatVector a0 = FloatVector.fromArray(Simd.F, acc, a), a1 = FloatVector.fromArray(Simd.F, acc, a + l),
                a2 = FloatVector.fromArray(Simd.F, acc, a + 2 * l), a3 = FloatVector.fromArray(Simd.F, acc, a + 3 * l),
                a4 = FloatVector.fromArray(Simd.F, acc, a + 4 * l), a5 = FloatVector.fromArray(Simd.F, acc, a + 5 * l),
                a6 = FloatVector.fromArray(Simd.F, acc, a + 6 * l), a7 = FloatVector.fromArray(Simd.F, acc, a + 7 * l);
        for (int i = 0; i < n; i += l, x += GROUP * l) {
            FloatVector wv = FloatVector.fromArray(Simd.F, w, i);
            a0 = wv.fma(FloatVector.fromArray(Simd.F, x8, x), a0);
            a1 = wv.fma(FloatVector.fromArray(Simd.F, x8, x + l), a1);
            a2 = wv.fma(FloatVector.fromArray(Simd.F, x8, x + 2 * l), a2);
            a3 = wv.fma(FloatVector.fromArray(Simd.F, x8, x + 3 * l), a3);
            a4 = wv.fma(FloatVector.fromArray(Simd.F, x8, x + 4 * l), a4);
            a5 = wv.fma(FloatVector.fromArray(Simd.F, x8, x + 5 * l), a5);
            a6 = wv.fma(FloatVector.fromArray(Simd.F, x8, x + 6 * l), a6);
            a7 = wv.fma(FloatVector.fromArray(Simd.F, x8, x + 7 * l), a7);
        }
        a0.intoArray(acc, a);
        a1.intoArray(acc, a + l);
        a2.intoArray(acc, a + 2 * l);
        a3.intoArray(acc, a + 3 * l);
        a4.intoArray(acc, a + 4 * l);
        a5.intoArray(acc, a + 5 * l);
        a6.intoArray(acc, a + 6 * l);
        a7.intoArray(acc, a + 7 * l);
    }
}
