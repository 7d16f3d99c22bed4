package dev.junction.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@code QuantFormat.dot} (float activations) over a 1024 x 4096 matrix, one row at a time as
 * {@code Matrix.multiply} does. The score is nanoseconds per weight element.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FloatDotBench {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    public String type;

    private Rows m;

    @Setup
    public void setup() {
        m = new Rows(type);
    }

    @Benchmark
    @OperationsPerInvocation(Rows.ROWS * Rows.COLS)
    public float dot() {
        float s = 0;
        for (int r = 0; r < Rows.ROWS; r++) s += m.format.dot(m.data, r * m.rowBytes, m.x, 0, Rows.COLS);
        return s;
    }
}
