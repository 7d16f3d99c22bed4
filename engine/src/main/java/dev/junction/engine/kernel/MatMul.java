package dev.junction.engine.kernel;

import dev.junction.engine.tensor.QuantFormat;
import dev.junction.engine.tensor.QuantizedActivations;

import java.lang.foreign.MemorySegment;

/**
 * Weight matrix × a batch of activation vectors: {@code out[t][r] = row(r) · x[t]}. Rows are split over the threads;
 * within a thread a tile of rows is multiplied with every vector of the batch before moving on, so a weight block
 * read from memory is reused from cache for the whole batch (prompt processing, batched decoding) — with a batch of
 * one this is the plain matrix-vector product of token generation.
 *
 * <p>Like llama.cpp, block-quantized weights meet activations quantized to 8 bits once per product (integer
 * multiply-adds, one float conversion per block); {@code exact} instances keep float activations instead, which
 * is what tests compare against plain float references.
 *
 * <p>Reusable and allocation-free once warm: one instance per driving thread, its fields set for each call.
 */
public final class MatMul implements Parallel.RangeBody {
    /** Rows per tile: about 16–40 KiB of weights, which stays in L1/L2 while the batch runs over it. */
    private static final int ROW_TILE = 16;
    /**
     * From this batch size on, a tile of rows is expanded to floats once and every vector of the batch is
     * multiplied with the float copy: the expansion is paid once per tile instead of once per vector, and the
     * products become plain FMAs that reuse each loaded weight several times (3× faster decoding of 8 F16
     * sequences than one dot per row and vector).
     */
    private static final int EXPAND_FROM_BATCH = 4;
    /**
     * The same for weights that meet 8-bit activations: there a last-bit difference between the two paths can flip
     * an activation's rounding, so decode batches (up to 15 sequences) keep the per-row integer kernel of a single
     * token and a sequence's numbers do not depend on what it is batched with; only prompt chunks expand. Measured,
     * both paths decode 8 sequences equally fast today.
     */
    private static final int EXPAND_QUANTIZED_FROM_BATCH = 16;
    /** Columns per expanded tile: a multiple of every block size (32 and 256 elements). */
    private static final int COL_BLOCK = 256;
    /** Per worker thread: a float copy of the current tile. */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[0]);

    private final boolean exact;
    private QuantizedActivations[] quantized32 = new QuantizedActivations[0], quantized256 = quantized32;
    private QuantizedActivations[] quantized; // the set in use for this call, one per vector of the batch
    private float[] roundTripped = new float[0];
    private boolean expand; // this call takes the expanded-tile path

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
        boolean quantizing = !exact && format.quantizesActivations();
        this.expand = batch >= (quantizing ? EXPAND_QUANTIZED_FROM_BATCH : EXPAND_FROM_BATCH);
        if (quantizing) {
            quantize();
            if (expand) useQuantizedAsFloats();
        }
        parallel.forRange(m.rows(), ROW_TILE, this);
        this.x = this.out = null;
        this.weights = null;
    }

    /** Single vector: {@code out[r] = m.row(r) · x}. */
    public void multiply(Matrix m, float[] x, float[] out, Parallel parallel) {
        multiply(m, x, 0, 1, out, 0, 0, parallel);
    }

    @Override
    public void run(int from, int to) {
        if (expand) {
            runExpanded(from, to);
            return;
        }
        if (quantized != null) {
            runQuantized(from, to);
            return;
        }
        for (int tile = from; tile < to; tile += ROW_TILE) {
            int tileEnd = Math.min(to, tile + ROW_TILE);
            for (int t = 0; t < batch; t++) {
                int xOffset = t * xStride, o = outOffset + t * outStride;
                for (int r = tile; r < tileEnd; r++) {
                    out[o + r] = format.dot(weights, r * rowBytes, x, xOffset, cols);
                }
            }
        }
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

    /**
     * For the expanded path: the batch's vectors as the 8-bit values they were quantized to, so that a batch gives
     * the same products (up to float rounding) as the same vectors one at a time.
     */
    private void useQuantizedAsFloats() {
        if (roundTripped.length < batch * cols) roundTripped = new float[batch * cols];
        for (int t = 0; t < batch; t++) {
            QuantizedActivations q = quantized[t];
            int block = q.blockSize();
            for (int i = 0; i < cols; i++) roundTripped[t * cols + i] = q.quant(i) * q.scale(i / block);
        }
        this.x = roundTripped;
        this.xStride = cols;
    }

    private void runQuantized(int from, int to) {
        for (int tile = from; tile < to; tile += ROW_TILE) {
            int tileEnd = Math.min(to, tile + ROW_TILE);
            for (int t = 0; t < batch; t++) {
                QuantizedActivations xq = quantized[t];
                int o = outOffset + t * outStride;
                for (int r = tile; r < tileEnd; r++) out[o + r] = format.dotQuantized(weights, r * rowBytes, xq, cols);
            }
        }
    }

    /**
     * Tiles of {@link #ROW_TILE} rows × {@link #COL_BLOCK} columns are expanded to floats (16 KiB: stays in L1)
     * and multiplied with every vector of the batch, two rows by four vectors at a time, partial sums added up
     * over the column blocks.
     */
    private void runExpanded(int from, int to) {
        float[] tileFloats = TILE.get();
        if (tileFloats.length < ROW_TILE * COL_BLOCK) TILE.set(tileFloats = new float[ROW_TILE * COL_BLOCK]);
        for (int tile = from; tile < to; tile += ROW_TILE) {
            int rows = Math.min(to, tile + ROW_TILE) - tile;
            for (int t = 0; t < batch; t++) {
                int o = outOffset + t * outStride + tile;
                java.util.Arrays.fill(out, o, o + rows, 0f);
            }
            for (int k = 0; k < cols; k += COL_BLOCK) {
                int kn = Math.min(COL_BLOCK, cols - k);
                long blockOffset = format.type().bytesFor(k);
                for (int r = 0; r < rows; r++) {
                    format.expand(weights, (tile + r) * rowBytes + blockOffset, tileFloats, r * kn, kn);
                }
                multiplyTile(tileFloats, rows, kn, k, tile);
            }
        }
    }

    private void multiplyTile(float[] w, int rows, int kn, int k, int tile) {
        int t = 0;
        for (; t + 4 <= batch; t += 4) {
            int o = outOffset + t * outStride + tile, xo = t * xStride + k;
            int r = 0;
            for (; r + 2 <= rows; r += 2) {
                Ops.dot2x4Add(w, r * kn, (r + 1) * kn, x, xo, xStride, kn, out, o + r, outStride);
            }
            for (; r < rows; r++) {
                for (int j = 0; j < 4; j++) out[o + j * outStride + r] += Ops.dot(w, r * kn, x, xo + j * xStride, kn);
            }
        }
        for (; t < batch; t++) {
            int o = outOffset + t * outStride + tile, xo = t * xStride + k;
            for (int r = 0; r < rows; r++) out[o + r] += Ops.dot(w, r * kn, x, xo, kn);
        }
    }
}
