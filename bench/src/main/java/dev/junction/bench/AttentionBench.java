package dev.junction.bench;

import dev.junction.engine.kernel.Matrix;
import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.Architecture;
import dev.junction.engine.model.KvCache;
import dev.junction.engine.model.KvPool;
import dev.junction.engine.model.ModelConfig;
import dev.junction.engine.model.Transformer;
import dev.junction.engine.model.Weights;
import dev.junction.engine.tensor.GgmlType;
import dev.junction.engine.tensor.QuantFormat;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Attention of one decode step over a filled KV cache (bench-1b's heads: 32 query heads, 8 KV heads of 64), F32 or
 * F16 cache, at several context lengths, in a cache of the sequence's own or in shuffled 16-position blocks of a
 * shared pool. Microseconds per step and layer, one thread.
 *
 * <p>Through the engine's public API only: a decode step ({@link Transformer#forward}) of a one-layer model with
 * those heads on a hidden size of {@value #DIM}, so that the step's other work (projections, feed-forward, a
 * {@value #VOCAB}-token output) is under 100 k multiply-adds against attention's 2 M at 512 positions and 17 M at
 * 4096. The weights are N(0, 1/hidden), so queries, keys and values come out about N(0, 1).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBench {
    private static final int DIM = 16;
    private static final int VOCAB = 256;

    @Param({"512", "4096"})
    public int context;
    @Param({"F32", "F16"})
    public String cache;
    /** 0: a cache of the sequence's own (as Session has); else blocks of this size from a shared pool, shuffled. */
    @Param({"0", "16"})
    public int blockSize;

    private Transformer transformer;
    private Transformer.Sequence sequence;
    private Parallel parallel;

    @Setup
    public void setup() {
        ModelConfig c = new ModelConfig(Architecture.LLAMA, DIM, 1, 32, 8, 64, DIM, VOCAB, 8192, 1e-5f, 500000f, 64,
                1f, null);
        Random random = new Random(1);
        transformer = new Transformer(c, weights(c, random));
        KvCache.Type type = KvCache.Type.valueOf(cache);
        if (blockSize == 0) {
            sequence = transformer.newSequence(context + 1, type);
        } else {
            int blocks = Math.ceilDiv(context + 1, blockSize);
            KvPool pool = new KvPool(c, 2 * blocks, blockSize, type);
            List<Integer> ids = new ArrayList<>();
            for (int b = 0; b < pool.blocks(); b++) ids.add(b);
            Collections.shuffle(ids, random);
            sequence = transformer.newSequence(pool);
            for (int b = 0; b < blocks; b++) sequence.appendBlock(ids.get(b));
        }
        int[] prompt = random.ints(context, 0, VOCAB).toArray();
        try (Parallel fill = new Parallel(Runtime.getRuntime().availableProcessors())) {
            transformer.forwardBatch(sequence, prompt, 0, context, false, fill);
        }
        parallel = new Parallel(1);
    }

    @TearDown
    public void close() {
        parallel.close();
    }

    /** The step at position {@code context}, attending over the {@code context} positions before it and itself. */
    @Benchmark
    public float attend() {
        sequence.setLength(context);
        return transformer.forward(sequence, 1, parallel)[0];
    }

    private static Weights weights(ModelConfig c, Random random) {
        float[] ones = new float[c.dim()];
        Arrays.fill(ones, 1f);
        Matrix embedding = matrix(c.vocabSize(), c.dim(), random);
        Weights.Layer layer = new Weights.Layer(ones,
                matrix(c.qDim(), c.dim(), random), matrix(c.kvDim(), c.dim(), random),
                matrix(c.kvDim(), c.dim(), random), matrix(c.dim(), c.qDim(), random),
                null, null, null, null, null, ones,
                matrix(c.ffnDim(), c.dim(), random), matrix(c.ffnDim(), c.dim(), random),
                matrix(c.dim(), c.ffnDim(), random));
        return new Weights(embedding, ones, embedding, null, List.of(layer));
    }

    /** F32, entries N(0, 1/cols): a product with a vector of unit RMS comes out about N(0, 1). */
    private static Matrix matrix(int rows, int cols, Random random) {
        QuantFormat f32 = QuantFormat.of(GgmlType.F32);
        long rowBytes = GgmlType.F32.bytesFor(cols);
        MemorySegment data = Arena.ofAuto().allocate(rows * rowBytes, 64);
        float[] row = new float[cols];
        double sigma = 1 / Math.sqrt(cols);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) row[i] = (float) (random.nextGaussian() * sigma);
            f32.quantize(row, 0, cols, data, r * rowBytes);
        }
        return new Matrix("bench", f32, data, rows, cols);
    }
}
