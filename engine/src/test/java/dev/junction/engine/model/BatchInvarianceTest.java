package dev.junction.engine.model;

import dev.junction.engine.kernel.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a server needs from the model package: a row's attention output and the keys and values it stores are the same
 * bits whatever else is in its step — one chunk or chunks of 1, 7 or 64, alone or mixed with other sequences' decode
 * rows, on 1 or 2 threads, in pools of other block sizes with other block tables. So a request's tokens do not depend
 * on the traffic it was served with.
 *
 * <p>Compared at the attention itself, each row fed the same query, key and value (a function of its sequence,
 * position and layer) in every run: the projections before it are matrix products, whose batch invariance is
 * {@code MatMul}'s business, not this package's.
 */
class BatchInvarianceTest {
    private static final int LAYERS = 2, PROMPT = 150;

    /** One way of running the prompt of sequence "x": its chunk sizes, block size, threads, and company. */
    record Plan(String name, int[] chunks, int blockSize, int threads, boolean withOthers) {}

    /** Everything the prompt's rows produced: attention outputs per (position, layer), and the cache afterwards. */
    record Result(Map<String, float[]> outputs, float[] keys, float[] values) {}

    @ParameterizedTest
    @EnumSource(KvCache.Type.class)
    void aRowsAttentionAndItsKeysAndValuesDoNotDependOnTheRestOfTheStep(KvCache.Type type) {
        List<Plan> plans = List.of(
                new Plan("one chunk", new int[]{PROMPT}, 16, 1, false),
                new Plan("chunks of 1", repeat(1, PROMPT), 16, 1, false),
                new Plan("chunks of 7", repeat(7, Math.ceilDiv(PROMPT, 7)), 48, 2, false),
                new Plan("chunks of 64", repeat(64, 3), 32, 2, false),
                new Plan("chunks of 7 among decode rows", repeat(7, Math.ceilDiv(PROMPT, 7)), 16, 2, true),
                new Plan("chunks of 64 among decode rows", repeat(64, 3), 64, 1, true));
        Result expected = run(plans.getFirst(), type);
        for (Plan plan : plans.subList(1, plans.size())) {
            Result actual = run(plan, type);
            for (Map.Entry<String, float[]> e : expected.outputs().entrySet()) {
                assertThat(bits(actual.outputs().get(e.getKey()))).as("%s: attention output at %s", plan.name(), e.getKey())
                        .containsExactly(bits(e.getValue()));
            }
            assertThat(bits(actual.keys())).as("%s: keys", plan.name()).containsExactly(bits(expected.keys()));
            assertThat(bits(actual.values())).as("%s: values", plan.name()).containsExactly(bits(expected.values()));
        }
    }

    private static Result run(Plan plan, KvCache.Type type) {
        Transformer t = AttentionTest.attentionOnly(LAYERS, 8, 2, 64);
        ModelConfig c = t.config();
        KvPool pool = new KvPool(c, 60, plan.blockSize(), type);
        // blocks handed out from the end of the pool, interleaved between the sequences
        int[] next = {pool.blocks() - 1};
        Transformer.Sequence x = t.newSequence(pool), y = t.newSequence(pool), z = t.newSequence(pool);
        Map<Transformer.Sequence, Integer> ids = Map.of(x, 0, y, 1, z, 2);
        Map<String, float[]> outputs = new HashMap<>();
        Transformer.Batch batch = t.newBatch(PROMPT + 2);
        try (Parallel parallel = new Parallel(plan.threads())) {
            if (plan.withOthers()) { // y and z hold some context already
                step(t, batch, List.of(new Rows(y, 40)), ids, pool, next, outputs, parallel);
                step(t, batch, List.of(new Rows(z, 90)), ids, pool, next, outputs, parallel);
            }
            int done = 0;
            for (int chunk : plan.chunks()) {
                int n = Math.min(chunk, PROMPT - done);
                List<Rows> rows = new ArrayList<>();
                if (plan.withOthers()) rows.add(new Rows(y, 1));
                rows.add(new Rows(x, n));
                if (plan.withOthers()) rows.add(new Rows(z, 1));
                step(t, batch, rows, ids, pool, next, outputs, parallel);
                done += n;
            }
        }
        outputs.keySet().removeIf(key -> !key.startsWith("x@"));
        float[] keys = new float[LAYERS * PROMPT * c.kvDim()], values = new float[keys.length];
        int at = 0;
        for (int l = 0; l < LAYERS; l++) {
            for (int p = 0; p < PROMPT; p++) {
                int block = x.cache().block(p / pool.blockSize()), slot = p % pool.blockSize();
                for (int h = 0; h < c.kvHeads(); h++) {
                    for (int i = 0; i < c.headDim(); i++, at++) {
                        keys[at] = pool.key(l, block, slot, h, i);
                        values[at] = pool.value(l, block, slot, h, i);
                    }
                }
            }
        }
        return new Result(outputs, keys, values);
    }

    record Rows(Transformer.Sequence sequence, int count) {}

    /**
     * One step: maps blocks for the new positions, adds the rows, gives each its sequence's and position's inputs,
     * stores and attends layer by layer, and records each row's output under "sequence@position/layer".
     */
    private static void step(Transformer t, Transformer.Batch batch, List<Rows> rows,
                             Map<Transformer.Sequence, Integer> ids, KvPool pool, int[] next,
                             Map<String, float[]> outputs, Parallel parallel) {
        ModelConfig c = t.config();
        for (Rows r : rows) {
            while (r.sequence().capacity() < r.sequence().length() + r.count()) r.sequence().appendBlock(next[0]--);
            for (int i = 0; i < r.count(); i++) batch.add(r.sequence(), 0, false);
        }
        for (int l = 0; l < LAYERS; l++) {
            for (int row = 0; row < batch.rows(); row++) {
                int id = ids.get(batch.sequences[row]);
                AttentionTest.randomRow(batch, row, c, new Random(((long) id * 100_000 + batch.positions[row]) * 10 + l));
            }
            t.attend(batch, l, parallel);
            for (int row = 0; row < batch.rows(); row++) {
                String key = "xyz".charAt(ids.get(batch.sequences[row])) + "@" + batch.positions[row] + "/" + l;
                float[] out = new float[c.qDim()];
                System.arraycopy(batch.xb, row * batch.xbStride, out, 0, c.qDim());
                outputs.put(key, out);
            }
        }
        for (Rows r : rows) r.sequence().setLength(r.sequence().length() + r.count());
        batch.clear();
    }

    private static int[] repeat(int value, int times) {
        int[] a = new int[times];
        java.util.Arrays.fill(a, value);
        return a;
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
