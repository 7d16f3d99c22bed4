package dev.junction.engine.model;

import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.runtime.Session;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sliding-window layers with blocks of their own (the arch2 Gemma 3 and gpt-oss files, window 8): a ring just large
 * enough for the window and a step's rows, and a paged window table whose blocks are reused as the sequence moves
 * on, compute bit for bit what a cache holding every position computes, over contexts many windows long.
 */
class SlidingWindowCacheTest {
    static final int PROMPT = 700;
    static Parallel parallel;

    @BeforeAll
    static void start() {
        parallel = new Parallel(2);
    }

    @AfterAll
    static void stop() {
        parallel.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F-gemma3-Q8_0", "G-gpt-oss-MXFP4"})
    void aRingAndARecycledWindowTableComputeWhatTheWholeCacheComputes(String name) {
        try (Model model = Model.load(TestModels.file("arch2/" + name + ".gguf"), LoadProgress.NONE)) {
            Transformer t = model.transformer();
            ModelConfig c = t.config();
            assertThat(c.window()).isEqualTo(8);

            Transformer.Sequence whole = t.newSequence(new KvPool(c, 64, 16, KvCache.Type.F32));
            for (int b = 0; b < 64; b++) whole.appendBlock(b);
            // 4 blocks of 256 positions for the full-attention layers, a ring of 2 for the sliding-window ones
            Transformer.Sequence ring = t.newSequence(1024);
            assertThat(ring.cache().pool().windowBlocks()).isEqualTo(2);
            assertThat(ring.cache().bytes()).isLessThan(4 * KvPool.bytesPerBlock(c, 256, KvCache.Type.F32));
            // a paged table whose window layers cycle through 6 blocks: a step of 64 rows after a window of 8
            // spans at most ceil((7 + 63) / 16) + 1 = 6 blocks of 16
            KvPool windowed = new KvPool(c, 64, 6, 16, KvCache.Type.F32);
            Transformer.Sequence paged = t.newSequence(windowed);
            for (int b = 0; b < 64; b++) paged.appendBlocks(b, b % 6);
            assertThat(windowed.bytes()).isLessThan(new KvPool(c, 64, 16, KvCache.Type.F32).bytes());

            int[] prompt = randomTokens(PROMPT, c.vocabSize());
            float[] expected = t.forwardBatch(whole, prompt, 0, PROMPT, true, parallel);
            assertThat(t.forwardBatch(ring, prompt, 0, PROMPT, true, parallel)).as("ring").containsExactly(expected);
            assertThat(t.forwardBatch(paged, prompt, 0, PROMPT, true, parallel)).as("paged").containsExactly(expected);
            for (int step = 0; step < 24; step++) {
                int next = GreedyMatchesLlamaCppTest.topIndices(expected, 1)[0];
                expected = t.forward(whole, next, parallel);
                assertThat(t.forward(ring, next, parallel)).as("ring, step %d", step).containsExactly(expected);
                assertThat(t.forward(paged, next, parallel)).as("paged, step %d", step).containsExactly(expected);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F-gemma3-Q8_0"})
    void aSessionOverARingKeepsAContinuedConversationAndRecomputesWhatTheRingLost(String name) {
        try (Model model = Model.load(TestModels.file("arch2/" + name + ".gguf"), LoadProgress.NONE)) {
            int[] first = randomTokens(PROMPT, model.config().vocabSize());
            Session session = new Session(model, parallel, 1024);
            List<Integer> said = new ArrayList<>();
            Session.Stats a = session.generate(first, SamplingParams.greedy(), 6, (id, text) -> said.add(id));
            assertThat(a.cachedTokens()).isZero();

            // the next turn resends the history: all of it is kept
            int[] history = new int[PROMPT + said.size() + 3];
            System.arraycopy(first, 0, history, 0, PROMPT);
            for (int i = 0; i < said.size(); i++) history[PROMPT + i] = said.get(i);
            Arrays.fill(history, PROMPT + said.size(), history.length, 7);
            assertThat(session.generate(history, SamplingParams.greedy(), 4, (id, text) -> true).cachedTokens())
                    .isEqualTo(PROMPT + said.size() - 1); // the last token was sampled, never run

            // a prompt that shares only the first 100 tokens: the ring no longer holds the window before them
            int[] other = Arrays.copyOf(first, 140);
            Arrays.fill(other, 100, 140, 9);
            List<Integer> again = new ArrayList<>(), fresh = new ArrayList<>();
            assertThat(session.generate(other, SamplingParams.greedy(), 8, (id, text) -> again.add(id)).cachedTokens()).isZero();
            new Session(model, parallel, 1024).generate(other, SamplingParams.greedy(), 8, (id, text) -> fresh.add(id));
            assertThat(again).isEqualTo(fresh);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"G-gpt-oss-F16"})
    void aRingRefusesMoreRowsPerStepThanItWasSizedFor(String name) {
        try (Model model = Model.load(TestModels.file("arch2/" + name + ".gguf"), LoadProgress.NONE)) {
            Transformer t = model.transformer();
            Transformer.Sequence ring = t.newSequence(4096);
            Transformer.Batch batch = t.newBatch(128);
            for (int i = 0; i < Transformer.PROMPT_CHUNK; i++) batch.add(ring, 1, false);
            assertThatThrownBy(() -> batch.add(ring, 1, false)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("at most " + Transformer.PROMPT_CHUNK);
            batch.clear();
        }
    }

    /** Token ids 1 .. vocab - 1 (never 0), seeded. */
    static int[] randomTokens(int n, int vocab) {
        return new java.util.Random(42).ints(n, 1, vocab).toArray();
    }
}
