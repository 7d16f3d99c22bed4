package dev.junction.bench;

import dev.junction.engine.kernel.MatMul;
import dev.junction.engine.kernel.Matrix;
import dev.junction.engine.kernel.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@link MatMul}: a 1024 x 4096 weight matrix times a batch of vectors, as a forward step runs it — batch 1 is token
 * generation (8-bit activations, one dot per row), batch 8 batched decoding (one row read for eight vectors), batch
 * 64 a prompt chunk. The score is nanoseconds per call: divide by 4 194 304 x batch for ns per weight element per
 * vector (a batch that reuses weights well costs less per vector).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatMulBench {
    @Param({"F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    public String type;
    @Param({"1", "8", "64"})
    public int batch;
    @Param({"1", "2"})
    public int threads;

    private Matrix matrix;
    private float[] x, out;
    private final MatMul matmul = new MatMul();
    private Parallel parallel;

    @Setup
    public void setup() {
        Rows rows = new Rows(type);
        matrix = new Matrix("bench", rows.format, rows.data, Rows.ROWS, Rows.COLS);
        x = new float[batch * Rows.COLS];
        Random random = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        out = new float[batch * Rows.ROWS];
        parallel = new Parallel(threads);
    }

    @TearDown
    public void close() {
        parallel.close();
    }

    @Benchmark
    public float multiply() {
        matmul.multiply(matrix, x, Rows.COLS, batch, out, 0, Rows.ROWS, parallel);
        return out[0];
    }
}
