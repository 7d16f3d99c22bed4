package dev.junction.bench;

import dev.junction.engine.kernel.Ops;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** The vector helpers of {@link Ops} on 4096 floats (a hidden state): ns per element. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OpsBench {
    static final int N = 4096;

    private final float[] x = new float[N];
    private final float[] y = new float[N];
    private final float[] w = new float[N];
    private final float[] out = new float[N];

    @Setup
    public void setup() {
        Random r = new Random(1);
        for (int i = 0; i < N; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) r.nextGaussian();
            w[i] = 1 + 0.1f * (float) r.nextGaussian();
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public float[] rmsNorm() {
        Ops.rmsNorm(out, 0, x, 0, w, N, 1e-5f);
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public float[] softmax() {
        System.arraycopy(x, 0, out, 0, N); // softmax works in place
        Ops.softmax(out, 0, N);
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public float dot() {
        return Ops.dot(x, 0, y, 0, N);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public float[] axpy() {
        Ops.axpy(1e-3f, x, 0, out, 0, N);
        return out;
    }
}
