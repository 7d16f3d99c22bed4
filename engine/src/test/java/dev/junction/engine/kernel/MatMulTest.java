package dev.junction.engine.kernel;

import dev.junction.engine.tensor.GgmlType;
import dev.junction.engine.tensor.QuantFormat;
import dev.junction.engine.tensor.QuantizedActivations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Batch invariance: a row's product with a vector is the same bits whatever the batch size and whatever else is in
 * the batch, for every weight type and both activation modes; and it stays close to the scalar reference.
 */
class MatMulTest {
    static final int[] BATCHES = IntStream.concat(IntStream.rangeClosed(1, 20), IntStream.of(33, 64)).toArray();
    static final int ROWS = 37; // not a multiple of the row tile: uneven tiles and thread chunks
    static Parallel parallel;

    @BeforeAll
    static void start() {
        parallel = new Parallel(2);
    }

    @AfterAll
    static void stop() {
        parallel.close();
    }

    /** Column counts: odd ones where the format allows, and more than one column block. */
    static int[] columns(GgmlType t) {
        if (t.blockSize == 1) return new int[] {37, 64, 1031};
        if (t.blockSize == 32) return new int[] {32, 96, 1056};
        return new int[] {256, 768};
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K",
            "Q5_K", "Q6_K"})
    void everyBatchGivesEachVectorTheSameBits(GgmlType type) {
        QuantFormat format = QuantFormat.of(type);
        Random random = new Random(type.ordinal());
        for (int cols : columns(type)) {
            Matrix m = matrix(format, ROWS, cols, random);
            int maxBatch = BATCHES[BATCHES.length - 1];
            int vectors = maxBatch + 3;
            float[] x = new float[vectors * cols];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            x[5] = 30; // an outlier coarsens the 8-bit rounding of its block
            for (boolean exact : new boolean[] {false, true}) {
                MatMul mm = new MatMul(exact);
                float[][] alone = new float[vectors][ROWS];
                for (int v = 0; v < vectors; v++) {
                    mm.multiply(m, java.util.Arrays.copyOfRange(x, v * cols, (v + 1) * cols), alone[v], parallel);
                }
                for (int v = 0; v < vectors; v++) assertCloseToReference(m, x, v, alone[v], exact);
                for (int batch : BATCHES) {
                    for (int first : new int[] {0, 3}) { // different companions for the same vector
                        float[] batchX = java.util.Arrays.copyOfRange(x, first * cols, (first + batch) * cols);
                        float[] out = new float[batch * ROWS + 5];
                        mm.multiply(m, batchX, cols, batch, out, 5, ROWS, parallel);
                        for (int t = 0; t < batch; t++) {
                            for (int r = 0; r < ROWS; r++) {
                                float got = out[5 + t * ROWS + r], want = alone[first + t][r];
                                if (Float.floatToIntBits(got) != Float.floatToIntBits(want)) {
                                    throw new AssertionError(type + " cols=" + cols + (exact ? " exact" : " 8-bit") + " batch="
                                            + batch + " first=" + first + " vector " + t + " row " + r + ": " + got
                                            + " alone " + want);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Within float rounding of the double-precision sum over the activations the product sees. */
    static void assertCloseToReference(Matrix m, float[] x, int v, float[] out, boolean exact) {
        QuantFormat f = m.format();
        int cols = m.cols();
        float[] seen = java.util.Arrays.copyOfRange(x, v * cols, (v + 1) * cols);
        if (!exact && f.quantizesActivations()) {
            QuantizedActivations q = QuantizedActivations.forFormat(f, cols);
            q.quantize(seen, 0, cols);
            q.dequantize(seen, 0);
        }
        float[] w = new float[cols];
        for (int r = 0; r < m.rows(); r++) {
            m.row(r, w, 0);
            double abs = 0;
            for (int i = 0; i < cols; i++) abs += Math.abs(w[i] * seen[i]);
            float ref = f.dotReference(m.data(), r * m.rowBytes(), seen, 0, cols);
            assertThat(out[r]).as("%s row %d", f.type(), r).isCloseTo(ref, within((float) (1e-5 * abs + 1e-30)));
        }
    }

    static Matrix matrix(QuantFormat format, int rows, int cols, Random random) {
        long rowBytes = format.type().bytesFor(cols);
        MemorySegment data = Arena.ofAuto().allocate(rowBytes * rows, 64);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) row[i] = (float) random.nextGaussian() * 0.05f;
            format.quantize(row, 0, cols, data, r * rowBytes);
        }
        return new Matrix("test", format, data, rows, cols);
    }
}
