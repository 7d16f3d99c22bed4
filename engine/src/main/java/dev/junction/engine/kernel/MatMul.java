package dev.junction.engine.kernel;

import dev.junction.engine.tensor.QuantFormat;
import dev.junction.engine.tensor.QuantizedActivations;
import dev.junction.engine.tensor.QuantizedBatch;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Weight matrix × a batch of activation vectors: {@code out[t][r] = row(r) · x[t]}. Rows are split over the threads;
 * within a thread a tile of rows is multiplied with every vector of the batch before moving on, so the tile's
 * weights are read from memory once for the whole batch.
 *
 * <p><b>Batch-invariant.</b> A row's product with a vector is the same bits whether the vector comes alone (token
 * generation), with others (batched decoding) or in a prompt chunk, and whatever the other vectors are: every
 * product is the single-vector kernel's ({@link QuantFormat#dotQuantized}, {@link QuantFormat#dot}) or a batched
 * kernel proven to give its bits ({@link QuantFormat#dotQuantized8}, see {@link QuantizedBatch};
 * {@link QuantFormat#dot4}). With 8-bit activations, batches go in groups of {@link QuantizedBatch#SIZE} vectors,
 * computed in units of {@link QuantFormat#batchUnit} vectors, and a remainder that would fill less than 5/8 of a
 * unit one at a time; float activations go four at a time. The batched kernels walk the columns in blocks of
 * {@link #COL_BLOCK}, carrying each row's accumulators from block to block, so the vectors' columns in use stay in
 * L1 while the tile's rows stream past.
 *
 * <p>Like llama.cpp, block-quantized weights meet activations quantized to 8 bits once per product (integer
 * products, one float conversion per block); {@code exact} instances keep float activations instead, which is
 * what tests compare against plain float references.
 *
 * <p>Reusable and allocation-free once warm: one instance per driving thread, its fields set for each call.
 */
public final class MatMul implements Parallel.RangeBody {
    /** Rows per tile: 16–40 KiB of weights, which stay in L1/L2 while the batch's groups run over them. */
    private static final int ROW_TILE = 16;
    /**
     * Columns per block of the batched kernels: a group's 8-bit vectors, as floats, take 16 KiB of them and stay in L1
     * while the tile's rows go past. A multiple of every block size.
     */
    private static final int COL_BLOCK = 512;
    private static final int SIZE = QuantizedBatch.SIZE;
    /** Per worker thread: the batched kernels' scratch, and the tile's state between column blocks. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[QuantizedBatch.SCRATCH]);
    private static final ThreadLocal<float[]> STATE = ThreadLocal.withInitial(
            () -> new float[ROW_TILE * Math.max(QuantizedBatch.STATE, QuantFormat.FLOAT_STATE)]);

    private final boolean exact;
    private QuantizedActivations[] quantized32 = new QuantizedActivations[0], quantized256 = quantized32;
    private QuantizedActivations[] quantized; // the set in use for this call, one per vector of the batch
    private QuantizedBatch[] packed = new QuantizedBatch[0];
    private int groups; // packed groups in use for this call
    private int grouped; // vectors the groups compute; the rest go one at a time

    private QuantFormat format;
    private MemorySegment weights;
    private long rowBytes;
    private int cols, batch;
    private float[] x, out;
    private int xStride, outOffset, outStride;

    /** Products with 8-bit activations for quantized weights (the fast default). */
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
        this.batch = batch;
        this.x = x;
        this.xStride = xStride;
        this.out = out;
        this.outOffset = outOffset;
        this.outStride = outStride;
        this.quantized = null;
        this.groups = this.grouped = 0;
        if (!exact && format.quantizesActivations()) {
            quantize();
            pack();
        }
        parallel.forRange(m.rows(), ROW_TILE, this);
        this.x = this.out = null;
        this.weights = null;
    }

    /** Single vector: {@code out[r] = m.row(r) · x}. */
    public void multiply(Matrix m, float[] x, float[] out, Parallel parallel) {
        multiply(m, x, 0, 1, out, 0, 0, parallel);
    }

    /** Quantizes each vector of the batch once, into buffers kept for the next call. */
    private void quantize() {
        boolean kQuant = format.type().blockSize == 256; // K-quants take 256-element activation blocks
        QuantizedActivations[] set = kQuant ? quantized256 : quantized32;
        if (set.length < batch || set[0].capacity() < cols) {
            int capacity = Math.max(cols, set.length > 0 ? set[0].capacity() : 0);
            set = new QuantizedActivations[Math.max(batch, set.length)];
            for (int t = 0; t < set.length; t++) set[t] = QuantizedActivations.forFormat(format, capacity);
            if (kQuant) quantized256 = set;
            else quantized32 = set;
        }
        for (int t = 0; t < batch; t++) set[t].quantize(x, t * xStride, cols);
        quantized = set;
    }

    /** Lays out the batch's groups for {@link QuantFormat#dotQuantized8}. */
    private void pack() {
        if (!format.batchesQuantized()) return;
        int unit = format.batchUnit(); // a unit repays its shared unpacking (and a quad its padding) from 5/8 full
        grouped = Math.min(batch, (batch / unit + (8 * (batch % unit) >= 5 * unit ? 1 : 0)) * unit);
        groups = Math.ceilDiv(grouped, SIZE);
        if (packed.length < groups) {
            QuantizedBatch[] grown = Arrays.copyOf(packed, groups);
            for (int g = packed.length; g < groups; g++) grown[g] = new QuantizedBatch();
            packed = grown;
        }
        for (int g = 0; g < groups; g++) packed[g].pack(quantized, g * SIZE, Math.min(SIZE, grouped - g * SIZE));
    }

    @Override
    public void run(int from, int to) {
        float[] state = STATE.get();
        for (int tile = from; tile < to; tile += ROW_TILE) {
            int rows = Math.min(to, tile + ROW_TILE) - tile;
            for (int g = 0; g < groups; g++) multiplyGroup(g, tile, rows, state);
            int t = grouped;
            if (quantized == null && format.batchesFloat()) {
                for (; t + 4 <= batch; t += 4) multiplyFour(t, tile, rows, state);
            }
            for (; t < batch; t++) multiplyOne(t, tile, rows);
        }
    }

    /** Packed group {@code g} times the tile's rows, one block of columns at a time. */
    private void multiplyGroup(int g, int tile, int rows, float[] state) {
        float[] scratch = SCRATCH.get();
        Arrays.fill(state, 0, rows * QuantizedBatch.STATE, 0f);
        for (int c = 0; c < cols; c += COL_BLOCK) {
            format.dotQuantized8(weights, tile * rowBytes, rowBytes, rows, packed[g], c, Math.min(cols, c + COL_BLOCK),
                    state, scratch);
        }
        for (int v = 0; v < packed[g].count(); v++) {
            int o = outOffset + (g * SIZE + v) * outStride + tile;
            for (int r = 0; r < rows; r++) out[o + r] = QuantizedBatch.result(state, r, v);
        }
    }

    /** Float vectors {@code t .. t+3} times the tile's rows, one block of columns at a time. */
    private void multiplyFour(int t, int tile, int rows, float[] state) {
        Arrays.fill(state, 0, rows * QuantFormat.FLOAT_STATE, 0f);
        int chunked = QuantFormat.dotChunked(cols);
        for (int c = 0; c < chunked; c += COL_BLOCK) {
            format.dot4(weights, tile * rowBytes, rowBytes, rows, x, t * xStride, xStride, c, Math.min(chunked, c + COL_BLOCK),
                    state);
        }
        for (int v = 0; v < 4; v++) {
            int o = outOffset + (t + v) * outStride + tile;
            for (int r = 0; r < rows; r++) {
                out[o + r] = format.dotResult(weights, (tile + r) * rowBytes, x, (t + v) * xStride, cols, state,
                        r * QuantFormat.FLOAT_STATE, v);
            }
        }
    }

    /** Vector {@code t} times the tile's rows with the single-vector kernel. */
    private void multiplyOne(int t, int tile, int rows) {
        int o = outOffset + t * outStride;
        if (quantized != null) {
            QuantizedActivations xq = quantized[t];
            for (int r = tile; r < tile + rows; r++) out[o + r] = format.dotQuantized(weights, r * rowBytes, xq, cols);
        } else {
            for (int r = tile; r < tile + rows; r++) out[o + r] = format.dot(weights, r * rowBytes, x, t * xStride, cols);
        }
    }
}
