package dev.junction.bench;

import dev.junction.engine.tensor.QuantizedActivations;
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
 * {@code QuantFormat.dotQuantized} (integer products against 8-bit activations) over a 1024 x 4096 matrix, and the
 * same with the activations quantized first (once per matrix, as per step). Nanoseconds per weight element; compare
 * with {@link FloatDotBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class QuantizedDotBench {
    @Param({"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    public String type;

    private Rows m;
    private QuantizedActivations qx;

    @Setup
    public void setup() {
        m = new Rows(type);
        qx = QuantizedActivations.forFormat(m.format, Rows.COLS);
        qx.quantize(m.x, 0, Rows.COLS);
    }

    @Benchmark
    @OperationsPerInvocation(Rows.ROWS * Rows.COLS)
    public float dotQuantized() {
        float s = 0;
        for (int r = 0; r < Rows.ROWS; r++) s += m.format.dotQuantized(m.data, r * m.rowBytes, qx, Rows.COLS);
        return s;
    }

    /** The plain scalar loop, to tell how much the vector kernel gains (64 rows: it is slow). */
    @Benchmark
    @OperationsPerInvocation(64 * Rows.COLS)
    public float dotQuantizedReference() {
        float s = 0;
        for (int r = 0; r < 64; r++) s += m.format.dotQuantizedReference(m.data, r * m.rowBytes, qx, Rows.COLS);
        return s;
    }

    @Benchmark
    @OperationsPerInvocation(Rows.ROWS * Rows.COLS)
    public float quantizeThenDot() {
        qx.quantize(m.x, 0, Rows.COLS);
        return dotQuantized();
    }
}
