package dev.junction.engine.kernel;

import dev.junction.engine.tensor.QuantFormat;
import dev.junction.engine.tensor.QuantizedActivations;
import dev.junction.engine.tensor.RowProducts;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Weight matrix × a batch of activation vectors: {@code out[t][r] = row(r) · x[t]}. Rows are split over the threads
 * in tiles; a tile is multiplied with the batch one block of columns at a time, so the vectors' columns in use stay
 * in L1 while the tile's rows stream past them.
 *
 * <p><b>Batch-invariant.</b> Every product follows the {@link RowProducts} recipe, whichever kernel computes it:
 * a row's product with a vector is the same bits whether the vector comes alone (token generation), with seven
 * others (batched decoding) or in a prompt chunk, and whatever the other vectors are. Batches of
 * {@link #GROUP_FROM} or more vectors go in packed groups of eight ({@link QuantFormat#dotRows8}: each weight
 * decoded once for eight vectors, a short group padded with zeros); smaller ones, and what is left after the
 * groups, one vector at a time against the tile's rows ({@link QuantFormat#dotRows}).
 *
 * <p>Like llama.cpp, block-quantized weights meet activations rounded to 8 bits once per product
 * ({@link QuantizedActivations}, the same values llama.cpp's integer kernels see), multiplied here as floats;
 * {@code exact} instances keep the float activations, which is what tests compare against plain float references.
 *
 * <p>Reusable and allocation-free once warm: one instance per driving thread, its fields set for each call.
 */
public final class MatMul implements Parallel.RangeBody {
    /** Rows per tile: their accumulators for a group of eight vectors take 4 KiB (AVX2). */
    private static final int ROW_TILE = 16;
    /** Columns per block: eight packed vectors' share is 16 KiB, half of a usual L1. A multiple of every block size. */
    private static final int COL_BLOCK = 512;
    /** From this batch size on, vectors go in packed groups of eight; below it, one at a time. */
    static final int GROUP_FROM = 3;
    private static final int L = RowProducts.LANES, G = RowProducts.GROUP;
    /** Per worker thread: the accumulators of a tile. */
    private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[ROW_TILE * G * L]);

    private final boolean exact;
    private QuantizedActivations quantized32, quantized256;
    private float[] rounded = new float[0]; // the batch's vectors rounded to 8 bits, as floats
    private float[] packed = new float[0]; // the groups, packed for dotRows8

    private QuantFormat format;
    private MemorySegment weights;
    private long rowBytes;
    private int cols, chunked, batch, groups;
    private float[] x, out;
    private int xStride, outOffset, outStride;

    /** Products with 8-bit activations for quantized weights (the default, as llama.cpp). */
    public MatMul() {
        this(false);
    }

    /** With {@code exact}, activations stay float for every weight type. */
    public MatMul(boolean exact) {
        this.exact = exact;
    }

    /**
     * {@code out[outOffset + t*outStride + r] = m.row(r) · x[t*xStride ..]} for {@code t < batch} and every row.
     */
    public void multiply(Matrix m, float[] x, int xStride, int batch, float[] out, int outOffset, int outStride,
                         Parallel parallel) {
        this.format = m.format();
        this.weights = m.data();
        this.rowBytes = m.rowBytes();
        this.cols = m.cols();
        this.chunked = RowProducts.chunkedColumns(cols);
        this.batch = batch;
        this.x = x;
        this.xStride = xStride;
        this.out = out;
        this.outOffset = outOffset;
        this.outStride = outStride;
        if (!exact && format.quantizesActivations()) roundActivations();
        this.groups = batch < GROUP_FROM ? 0 : batch / G + (batch % G >= GROUP_FROM ? 1 : 0);
        pack();
        parallel.forRange(m.rows(), ROW_TILE, this);
        this.x = this.out = null;
        this.weights = null;
    }

    /** Single vector: {@code out[r] = m.row(r) · x}. */
    public void multiply(Matrix m, float[] x, float[] out, Parallel parallel) {
        multiply(m, x, 0, 1, out, 0, 0, parallel);
    }

    /** Replaces the batch by its vectors quantized to 8 bits for this format and written back as floats. */
    private void roundActivations() {
        boolean kQuant = format.type().blockSize == 256; // K-quants take 256-element activation blocks
        QuantizedActivations q = kQuant ? quantized256 : quantized32;
        if (q == null || q.capacity() < cols) {
            q = QuantizedActivations.forFormat(format, cols);
            if (kQuant) quantized256 = q;
            else quantized32 = q;
        }
        if (rounded.length < batch * cols) rounded = new float[batch * cols];
        for (int t = 0; t < batch; t++) {
            q.quantize(x, t * xStride, cols);
            q.dequantize(rounded, t * cols);
        }
        this.x = rounded;
        this.xStride = cols;
    }

    private void pack() {
        int size = chunked * G;
        if (packed.length < groups * size) packed = new float[groups * size];
        for (int g = 0; g < groups; g++) {
            RowProducts.pack(x, xStride, g * G, Math.min(G, batch - g * G), cols, packed, g * size);
        }
    }

    @Override
    public void run(int from, int to) {
        float[] acc = ACC.get();
        for (int tile = from; tile < to; tile += ROW_TILE) {
            int rows = Math.min(to, tile + ROW_TILE) - tile;
            long offset = tile * rowBytes;
            for (int g = 0; g < groups; g++) {
                Arrays.fill(acc, 0, rows * G * L, 0f);
                for (int c = 0; c < chunked; c += COL_BLOCK) {
                    format.dotRows8(weights, offset, rowBytes, rows, packed, g * chunked * G, c,
                            Math.min(chunked, c + COL_BLOCK), acc, 0);
                }
                for (int v = 0; v < Math.min(G, batch - g * G); v++) {
                    for (int r = 0; r < rows; r++) finish(g * G + v, tile + r, acc, (r * G + v) * L);
                }
            }
            for (int t = groups * G; t < batch; t++) {
                Arrays.fill(acc, 0, rows * L, 0f);
                for (int c = 0; c < chunked; c += COL_BLOCK) {
                    format.dotRows(weights, offset, rowBytes, rows, x, t * xStride, c, Math.min(chunked, c + COL_BLOCK),
                            acc, 0);
                }
                for (int r = 0; r < rows; r++) finish(t, tile + r, acc, r * L);
            }
        }
    }

    /** The product of {@code row} with vector {@code t}: its accumulator's lanes, then the scalar tail. */
    private void finish(int t, int row, float[] acc, int a) {
        float sum = RowProducts.finish(acc, a);
        if (chunked < cols) sum += RowProducts.tail(format, weights, row * rowBytes, x, t * xStride, chunked, cols);
        out[outOffset + t * outStride + row] = sum;
    }
}
