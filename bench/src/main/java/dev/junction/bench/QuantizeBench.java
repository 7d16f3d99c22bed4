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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Quantizing a 4096-element activation vector to Q8_0-style (32) or Q8_K-style (256) blocks; ns per element. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class QuantizeBench {
    static final int N = 4096;

    @Param({"32", "256"})
    public int blockSize;

    private final float[] x = new float[N];
    private QuantizedActivations q;

    @Setup
    public void setup() {
        Random r = new Random(1);
        for (int i = 0; i < N; i++) x[i] = (float) r.nextGaussian();
        q = blockSize == 32 ? QuantizedActivations.q8_0(N) : QuantizedActivations.q8_K(N);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public QuantizedActivations quantize() {
        q.quantize(x, 0, N);
        return q;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public QuantizedActivations quantizeReference() {
        q.quantizeReference(x, 0, N);
        return q;
    }
}
