package dev.junction.engine.model;

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
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Attention of one decode step over a filled KV cache (bench-1b's heads: 32 query heads, 8 KV heads of 64), F32 or
 * F16 cache, at several context lengths, in a cache of the sequence's own or in shuffled 16-position blocks of a
 * shared pool. Microseconds per step and layer, one thread. In the engine's package because
 * {@link Attention} is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBench {
    @Param({"512", "4096"})
    public int context;
    @Param({"F32", "F16"})
    public String cache;
    /** 0: a cache of the sequence's own (as Session has); else blocks of this size from a shared pool, shuffled. */
    @Param({"0", "16"})
    public int blockSize;

    private Transformer.Batch batch;
    private Parallel parallel;

    @Setup
    public void setup() {
        ModelConfig c = new ModelConfig(Architecture.LLAMA, 2048, 1, 32, 8, 64, 8192, 32000, 8192, 1e-5f, 500000f, 64,
                1f, null);
        Transformer t = new Transformer(c, new Weights(null, null, null, null, List.of())); // attention needs no weights
        KvCache.Type type = KvCache.Type.valueOf(cache);
        Random random = new Random(1);
        Transformer.Sequence s;
        if (blockSize == 0) {
            s = t.newSequence(context + 1, type);
        } else {
            int blocks = Math.ceilDiv(context + 1, blockSize);
            KvPool pool = new KvPool(c, 2 * blocks, blockSize, type);
            List<Integer> ids = new ArrayList<>();
            for (int b = 0; b < pool.blocks(); b++) ids.add(b);
            Collections.shuffle(ids, random);
            s = t.newSequence(pool);
            for (int b = 0; b < blocks; b++) s.appendBlock(ids.get(b));
        }
        float[] k = new float[c.kvDim()], v = new float[c.kvDim()];
        for (int pos = 0; pos < context; pos++) {
            for (int i = 0; i < k.length; i++) {
                k[i] = (float) random.nextGaussian();
                v[i] = (float) random.nextGaussian();
            }
            s.cache().store(0, pos, k, 0, v, 0);
        }
        s.setLength(context);
        batch = t.newBatch(1);
        batch.add(s, 0, false);
        for (int i = 0; i < batch.q.length; i++) batch.q[i] = (float) random.nextGaussian();
        parallel = new Parallel(1);
    }

    @Benchmark
    public float attend() {
        batch.attention.run(batch, 0, batch.xbStride, parallel);
        return batch.xb[0];
    }
}
