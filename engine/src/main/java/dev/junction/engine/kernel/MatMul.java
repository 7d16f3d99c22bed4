package dev.junction.engine.kernel;

import dev.junction.engine.tensor.QuantFormat;

import java.lang.foreign.MemorySegment;

/**
 * Weight matrix × a batch of activation vectors: {@code out[t][r] = row(r) · x[t]}. Rows are split over the threads;
 * within a thread a tile of rows is multiplied with every vector of the batch before moving on, so a weight block
 * read from memory is reused from cache for the whole batch (prompt processing, batched decoding) — with a batch of
 * one this is the plain matrix-vector product of token generation.
 *
 * <p>Reusable and allocation-free: one instance per driving thread, its fields set for each call.
 */
public final class MatMul implements Parallel.RangeBody {
    /** Rows per tile: about 16–40 KiB of weights, which stays in L1/L2 while the batch runs over it. */
    private static final int ROW_TILE = 16;

    private QuantFormat format;
    private MemorySegment weights;
    private long rowBytes;
    private int cols, batch;
    private float[] x, out;
    private int xStride, outOffset, outStride;

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
}
