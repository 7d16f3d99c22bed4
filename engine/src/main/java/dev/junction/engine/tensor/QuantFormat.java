package dev.junction.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * One tensor element type as the engine computes with it: its block layout, a plain scalar reference, and the fast
 * (Vector API) path that must agree with the reference.
 *
 * <p>Offsets are in bytes into {@code MemorySegment}s holding blocks in the GGUF/ggml layout; {@code n} is a number of
 * elements and must be a multiple of the type's block size. Implementations are stateless and thread-safe.
 *
 * <p>The vector kernels are written out, one method each, not split into helpers that take or return vectors: C2
 * inlines such a helper only where it judges the call hot and the caller still small, and where it does not, every
 * vector is boxed at the call, an allocation per block and several times slower, decided anew on every run (seen:
 * the Q6_K output matrix taking a quarter of a decode step in some runs, a tenth in others). Past C2's node budget
 * for a method ({@code NodeCountInliningCutoff}, reached after a few dozen Vector API operations, not settable in
 * product JVMs) not even a 35-byte helper is inlined any more, so the larger kernels (K-quants, the batched ones)
 * call none inside their vector code; the Vector API's own methods are force-inlined and unaffected. The small
 * single-vector loops of the 32-element formats and Q8_K still use {@code IntDot.widen}/{@code pairSum}/{@code
 * scaled}/{@code bitTimes16}, early in a method of a dozen vector operations. A short loop inside the block loop
 * (four passes over a super-block's runs) gets C2's range-check set-up for every segment and array access on each
 * entry, once per block: Q4_K and Q5_K make two passes with twice the accumulators instead (~15 % faster).
 */
public interface QuantFormat {
    GgmlType type();

    /** Expands {@code n} elements starting at byte {@code offset} of {@code src} into {@code dst[dstOffset..]}. */
    void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int n);

    /**
     * Σ w[i]·x[i] over {@code n} elements, computed the plain scalar way: the oracle for {@link #dot}. By default the
     * row is expanded with the scalar {@link #dequantize} and multiplied element by element.
     */
    default float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        return Blocks.dotByDequantizing(this, w, offset, x, xOffset, n);
    }

    /**
     * Σ w[i]·x[i] over {@code n} elements with the widest vector species the CPU has; the same bits on every call
     * (lanes summed in a fixed order).
     */
    float dot(MemorySegment w, long offset, float[] x, int xOffset, int n);

    /** Whether {@link #dot4} has a kernel here; where not, float batches go one vector at a time. */
    default boolean batchesFloat() {
        return false;
    }

    /**
     * {@link #dot} of {@code rows} rows (row {@code r} at {@code offset + r·rowBytes}) with four vectors
     * ({@code x[xOffset + v·xStride ..]}), each weight chunk widened once for the four: continues {@code dot}'s own
     * accumulators, kept in {@code state} ({@link #FLOAT_STATE} floats per row, zeros to begin with), over the
     * columns {@code [from, to)} (multiples of {@code 2·LANES}, the last block ending at {@link #dotChunked}), so
     * that a caller can walk the columns in blocks that keep the vectors in L1. {@link #dotResult} then gives the
     * same bits as {@code dot}. Only where {@link #batchesFloat()}.
     */
    default void dot4(MemorySegment w, long offset, long rowBytes, int rows, float[] x, int xOffset, int xStride, int from,
                      int to, float[] state) {
        throw new UnsupportedOperationException(type() + " has no batched float kernel");
    }

    /** Floats of {@link #dot4} state per row: two accumulators for each of four vectors. */
    int FLOAT_STATE = 8 * Simd.FL;

    /** The columns of {@code n} that {@link #dot} covers with vectors; the rest is its scalar tail. */
    static int dotChunked(int n) {
        return n - n % (2 * Simd.FL);
    }

    /** The product of a row with vector {@code v} from its {@link #dot4} state at {@code state[s ..]}: as {@code dot} ends. */
    default float dotResult(MemorySegment w, long rowOffset, float[] x, int xOffset, int n, float[] state, int s, int v) {
        throw new UnsupportedOperationException(type() + " has no batched float kernel");
    }

    /**
     * Whether this format multiplies by 8-bit quantized activations ({@link #dotQuantized}) rather than floats: true
     * for the block-quantized types, false for F32, F16 and BF16, which keep the float {@link #dot}.
     */
    default boolean quantizesActivations() {
        return false;
    }

    /**
     * Σ w[i]·x[i] over the {@code n} elements of a row, {@code x} being activations quantized for this format
     * ({@link QuantizedActivations#forFormat}) from element 0: integer products summed per block, one float scale
     * per block. Only for formats that {@link #quantizesActivations()}.
     */
    default float dotQuantized(MemorySegment w, long offset, QuantizedActivations x, int n) {
        throw new UnsupportedOperationException(type() + " multiplies float activations");
    }

    /** Whether {@link #dotQuantized8} has a kernel here; where not, batches go one vector at a time. */
    default boolean batchesQuantized() {
        return false;
    }

    /**
     * Vectors {@link #dotQuantized8} computes together at least: 4 where its kernel keeps four vectors' accumulators
     * in registers (a group of 1–4 costs one quad), 8 where it unpacks a block once for the whole group. A batch is
     * grouped in these units where a unit is at least 5/8 full, the rest goes one vector at a time.
     */
    default int batchUnit() {
        return QuantizedBatch.SIZE;
    }

    /**
     * {@link #dotQuantized} of {@code rows} rows (row {@code r} at {@code offset + r·rowBytes}) with every vector of
     * {@code x}, reading and unpacking each weight block once for all of them: continues the rows' accumulators in
     * {@code state} ({@link QuantizedBatch#STATE} floats per row, zeros to begin with) over the columns
     * {@code [from, to)}, a whole number of blocks, so that a caller can walk the columns in blocks that keep the
     * vectors in L1. {@link QuantizedBatch#result} then gives the same bits as {@code dotQuantized} per vector.
     * {@code scratch} holds {@link QuantizedBatch#SCRATCH} floats. Only where {@link #batchesQuantized()}.
     */
    default void dotQuantized8(MemorySegment w, long offset, long rowBytes, int rows, QuantizedBatch x, int from, int to,
                               float[] state, float[] scratch) {
        throw new UnsupportedOperationException(type() + " has no batched kernel");
    }

    /** The plain scalar {@link #dotQuantized}, with integer sums per block as ggml's scalar {@code vec_dot}: its oracle. */
    default float dotQuantizedReference(MemorySegment w, long offset, QuantizedActivations x, int n) {
        throw new UnsupportedOperationException(type() + " multiplies float activations");
    }

    /** Encodes {@code n} floats into blocks at byte {@code offset} of {@code dst} (used to write models). */
    void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long offset);

    /** The format for {@code type}; throws {@link UnsupportedOperationException} for a type without kernels. */
    static QuantFormat of(GgmlType type) {
        return QuantFormats.of(type);
    }
}
