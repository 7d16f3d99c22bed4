package dev.junction.bench;

import dev.junction.engine.tensor.GgmlType;
import dev.junction.engine.tensor.QuantFormat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** A weight matrix of random gaussian rows in one tensor type, off-heap like a memory-mapped model. */
final class Rows {
    static final int COLS = 4096;
    static final int ROWS = 1024; // 2..16 MiB: past L2, as in a real matrix-vector product

    final QuantFormat format;
    final MemorySegment data;
    final long rowBytes;
    final float[] x = new float[COLS];

    Rows(String type) {
        GgmlType t = GgmlType.valueOf(type);
        format = QuantFormat.of(t);
        rowBytes = t.bytesFor(COLS);
        data = Arena.ofAuto().allocate(rowBytes * ROWS, 64);
        Random r = new Random(42);
        float[] row = new float[COLS];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLS; j++) row[j] = (float) r.nextGaussian() * 0.02f;
            format.quantize(row, 0, COLS, data, i * rowBytes);
        }
        for (int j = 0; j < COLS; j++) x[j] = (float) r.nextGaussian();
    }
}
