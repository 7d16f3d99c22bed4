package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.kernel.Parallel;
import dev.junction.testkit.GreedyReference;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sequences over a shared {@link KvPool}, as a server runs them: block tables, shared prefixes, mixed steps. */
class PagedSequenceTest {
    static GgufFile file;
    static Transformer fast, exact;
    static Parallel parallel;

    @BeforeAll
    static void load() {
        file = GgufFile.open(TestModels.stories260K());
        exact = BatchingTest.load(file);
        fast = new Transformer(exact.config(), exact.weights());
        parallel = new Parallel(2);
    }

    @AfterAll
    static void close() {
        parallel.close();
        file.close();
    }

    @Test
    void aShuffledBlockTableGivesTheSameLogitsAsAContiguousOneAndAsACacheOfItsOwn() {
        KvPool pool = new KvPool(fast.config(), 40, 16, KvCache.Type.F32);
        Transformer.Sequence contiguous = fast.newSequence(pool), shuffled = fast.newSequence(pool);
        for (int b = 0; b < 8; b++) contiguous.appendBlock(b);
        List<Integer> rest = new ArrayList<>();
        for (int b = 8; b < 40; b++) rest.add(b);
        Collections.shuffle(rest, new Random(5));
        for (int b = 0; b < 8; b++) shuffled.appendBlock(rest.get(b));
        Transformer.Sequence own = fast.newSequence(128);

        int[] prompt = BatchingTest.randomTokens(100, fast.config().vocabSize(), 11);
        float[] expected = fast.forwardBatch(own, prompt, 0, prompt.length, true, parallel);
        assertSame(fast.forwardBatch(contiguous, prompt, 0, prompt.length, true, parallel), expected, "contiguous");
        assertSame(fast.forwardBatch(shuffled, prompt, 0, prompt.length, true, parallel), expected, "shuffled");
        for (int step = 0; step < 20; step++) { // past the 112th position: into the last block
            int next = GreedyMatchesLlamaCppTest.topIndices(expected, 1)[0];
            expected = fast.forward(own, next, parallel);
            assertSame(fast.forward(contiguous, next, parallel), expected, "contiguous, step " + step);
            assertSame(fast.forward(shuffled, next, parallel), expected, "shuffled, step " + step);
        }
    }

    @Test
    void aSequenceMappingAnotherOnesFullPrefixBlocksGivesTheSameLogitsAsComputingFromScratch() {
        KvPool pool = new KvPool(fast.config(), 32, 16, KvCache.Type.F16);
        int[] tokens = BatchingTest.randomTokens(100, fast.config().vocabSize(), 12);
        int[] prefix = Arrays.copyOf(tokens, 32), first = Arrays.copyOfRange(tokens, 32, 60);
        int[] second = Arrays.copyOfRange(tokens, 60, 100);
        int[] free = {0};

        Transformer.Sequence a = withBlocks(pool, 4, free); // prefix, then its own continuation
        fast.forwardBatch(a, prefix, 0, prefix.length, false, parallel);
        float[] aLogits = fast.forwardBatch(a, first, 0, first.length, true, parallel).clone();

        Transformer.Sequence b = fast.newSequence(pool); // a's two full prefix blocks, then blocks of its own
        b.appendBlock(a.cache().block(0));
        b.appendBlock(a.cache().block(1));
        for (int i = 0; i < 3; i++) b.appendBlock(free[0]++);
        b.setLength(prefix.length);
        float[] shared = fast.forwardBatch(b, second, 0, second.length, true, parallel);

        Transformer.Sequence scratch = withBlocks(pool, 5, free);
        fast.forwardBatch(scratch, prefix, 0, prefix.length, false, parallel);
        assertSame(shared, fast.forwardBatch(scratch, second, 0, second.length, true, parallel), "shared prefix");
        for (int step = 0; step < 5; step++) {
            int next = GreedyMatchesLlamaCppTest.topIndices(shared, 1)[0];
            shared = fast.forward(b, next, parallel);
            assertSame(shared, fast.forward(scratch, next, parallel), "shared prefix, step " + step);
        }

        // and a is untouched by b's writes: it continues like a sequence that never shared
        Transformer.Sequence alone = withBlocks(pool, 4, free);
        fast.forwardBatch(alone, prefix, 0, prefix.length, false, parallel);
        assertSame(fast.forwardBatch(alone, first, 0, first.length, true, parallel), aLogits, "the sharer's own steps");
        assertSame(fast.forward(a, 7, parallel).clone(), fast.forward(alone, 7, parallel), "the sharer's next step");
    }

    @Test
    void aPagedSequenceReproducesLlamaCppsGreedyTokens() {
        GreedyReference ref = GreedyReference.stories260K();
        KvPool pool = new KvPool(fast.config(), 8, 16, KvCache.Type.F32);
        Transformer.Sequence s = fast.newSequence(pool);
        for (int b : new int[]{5, 2, 7}) s.appendBlock(b);
        float[] logits = fast.forwardBatch(s, ref.promptIds(), 0, ref.promptIds().length, true, parallel);
        for (int expected : ref.generatedIds()) {
            int best = GreedyMatchesLlamaCppTest.topIndices(logits, 1)[0];
            assertThat(best).isEqualTo(expected);
            logits = fast.forward(s, best, parallel);
        }
    }

    @Test
    void oneStepRunsAPromptChunkOfOneSequenceWithDecodeRowsOfOthers() {
        int vocab = exact.config().vocabSize();
        KvPool pool = new KvPool(exact.config(), 24, 16, KvCache.Type.F32);
        int[] free = {0};
        int[] promptX = BatchingTest.randomTokens(20, vocab, 20), promptY = BatchingTest.randomTokens(9, vocab, 21);
        int[] promptZ = BatchingTest.randomTokens(30, vocab, 22);
        Transformer.Sequence x = withBlocks(exact, pool, 2, free), y = withBlocks(exact, pool, 2, free);
        Transformer.Sequence z = withBlocks(exact, pool, 3, free);
        exact.forwardBatch(y, promptY, 0, promptY.length, false, parallel);
        exact.forwardBatch(z, promptZ, 0, promptZ.length, false, parallel);

        Transformer.Batch batch = exact.newBatch(32);
        batch.add(y, 3, true);
        for (int i = 0; i < promptX.length; i++) batch.add(x, promptX[i], i == promptX.length - 1);
        batch.add(z, 4, true);
        assertThat(batch.rows()).isEqualTo(22);
        exact.run(batch, parallel);
        assertThat(batch.rows()).isZero();
        assertThat(new int[]{x.length(), y.length(), z.length()}).containsExactly(20, 10, 31);

        Transformer.Sequence x1 = exact.newSequence(32), y1 = exact.newSequence(32), z1 = exact.newSequence(48);
        exact.forwardBatch(y1, promptY, 0, promptY.length, false, parallel);
        exact.forwardBatch(z1, promptZ, 0, promptZ.length, false, parallel);
        BatchingTest.assertClose(x.logits(), exact.forwardBatch(x1, promptX, 0, promptX.length, true, parallel), "x");
        BatchingTest.assertClose(y.logits(), exact.forward(y1, 3, parallel), "y");
        BatchingTest.assertClose(z.logits(), exact.forward(z1, 4, parallel), "z");
    }

    @Test
    void capacityProblemsSayWhatIsWrong() {
        ModelConfig c = fast.config();
        assertThatThrownBy(() -> new KvPool(c, 1 << 30, 1024, KvCache.Type.F32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than this machine's")
                .hasMessageContaining("use fewer blocks");
        assertThatThrownBy(() -> fast.newSequence(1 << 30, KvCache.Type.F32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a KV cache for a context of 1073741824 tokens").hasMessageContaining("use a smaller context");
        assertThatThrownBy(() -> new KvPool(c, 4, 24, KvCache.Type.F32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 16");
        assertThatThrownBy(() -> new KvPool(c, 0, 16, KvCache.Type.F32)).isInstanceOf(IllegalArgumentException.class);

        KvPool pool = new KvPool(c, 4, 16, KvCache.Type.F16);
        assertThat(pool.bytes()).isEqualTo(4 * KvPool.bytesPerBlock(c, 16, KvCache.Type.F16));
        Transformer.Sequence s = fast.newSequence(pool);
        assertThat(s.capacity()).isZero();
        Transformer.Batch batch = fast.newBatch(4);
        assertThatThrownBy(() -> batch.add(s, 1, true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("0 blocks mapped");
        assertThatThrownBy(() -> s.appendBlock(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the pool's 4 blocks");
        s.appendBlock(3);
        assertThat(s.capacity()).isEqualTo(16);
        assertThatThrownBy(() -> s.setLength(17)).isInstanceOf(IllegalArgumentException.class);
        s.setLength(14);
        batch.add(s, 1, false);
        batch.add(s, 2, true);
        assertThatThrownBy(() -> batch.add(s, 3, true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sequence is full: 17 positions");
        assertThat(batch.rows()).isEqualTo(2); // the failed add left the batch as it was
        fast.run(batch, parallel);
        assertThat(s.length()).isEqualTo(16);
        assertThatThrownBy(() -> fast.forward(s, 1, parallel)).isInstanceOf(IllegalStateException.class);
        s.clearBlocks();
        assertThat(new int[]{s.length(), s.capacity(), s.blockCount()}).containsExactly(0, 0, 0);

        Transformer.Sequence own = fast.newSequence(20);
        assertThatThrownBy(() -> own.appendBlock(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fixed block table");
        assertThatThrownBy(() -> exact.newBatch(2).add(own, 1, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("another transformer");
        ModelConfig other = AttentionTest.attentionOnly(1, 8, 2, 64).config();
        assertThatThrownBy(() -> fast.newSequence(new KvPool(other, 1, 16, KvCache.Type.F32)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another model shape");
    }

    /**
     * The same computation up to float summation order: attention is bit-identical however the cache is laid out
     * ({@link BatchInvarianceTest}), but the matrix products' vector reductions round differently before and after
     * the JIT compiles them, so the same step run twice can differ in the last bits.
     */
    private static void assertSame(float[] actual, float[] expected, String what) {
        BatchingTest.assertClose(actual, expected, what);
    }

    private static Transformer.Sequence withBlocks(KvPool pool, int blocks, int[] free) {
        return withBlocks(fast, pool, blocks, free);
    }

    private static Transformer.Sequence withBlocks(Transformer t, KvPool pool, int blocks, int[] free) {
        Transformer.Sequence s = t.newSequence(pool);
        for (int i = 0; i < blocks; i++) s.appendBlock(free[0]++);
        return s;
    }
}
