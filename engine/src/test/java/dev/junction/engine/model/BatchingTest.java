package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.kernel.Parallel;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batching changes how often weights are read, not the arithmetic of any row: batched steps equal one-token steps
 * up to float summation order. (Compared in exact mode: with 8-bit activations, a last-bit difference can flip the
 * rounding of an activation and the difference then grows to the size of the 8-bit rounding itself.)
 */
class BatchingTest {
    static Transformer load(GgufFile file) {
        Architecture arch = Architecture.byName(file.metadata().requireString("general.architecture")).orElseThrow();
        int vocab = file.metadata().requireStringArray("tokenizer.ggml.tokens").length;
        ModelConfig config = ModelConfig.read(file.path(), file.metadata(), arch, vocab);
        return new Transformer(config, Weights.load(file, config), true);
    }

    static int[] randomTokens(int n, int vocab, long seed) {
        return new Random(seed).ints(n, 0, vocab).toArray();
    }

    @Test
    void promptProcessingInChunksEqualsTokenByToken() {
        for (Path path : new Path[]{TestModels.stories260K(), TestModels.file("arch/C-qwen2-Q8_0.gguf")}) {
            try (GgufFile file = GgufFile.open(path); Parallel parallel = new Parallel(2)) {
                Transformer t = load(file);
                int[] prompt = randomTokens(Transformer.PROMPT_CHUNK * 2 + 7, t.config().vocabSize(), 1);
                Transformer.Sequence one = t.newSequence(prompt.length + 1);
                float[] expected = null;
                for (int token : prompt) expected = t.forward(one, token, parallel).clone();
                Transformer.Sequence batched = t.newSequence(prompt.length + 1);
                float[] actual = t.forwardBatch(batched, prompt, 0, prompt.length, true, parallel);
                assertThat(batched.length()).isEqualTo(prompt.length);
                assertClose(actual, expected, path.getFileName().toString());
                // and the caches agree: the next token gives the same logits
                float[] next = t.forward(batched, 5, parallel).clone();
                assertClose(next, t.forward(one, 5, parallel), "next token");
            }
        }
    }

    @Test
    void everyRowOfAStepCanHaveItsLogitsMoreThanOneOutputProjectionsWorth() {
        try (GgufFile file = GgufFile.open(TestModels.stories260K()); Parallel parallel = new Parallel(2)) {
            Transformer t = load(file);
            int rows = Transformer.LOGIT_ROWS * 2 + 5, vocab = t.config().vocabSize();
            int[] prompt = randomTokens(rows, vocab, 3);
            Transformer.Sequence one = t.newSequence(rows);
            float[][] expected = new float[rows][];
            for (int i = 0; i < rows; i++) expected[i] = t.forward(one, prompt[i], parallel).clone();

            Transformer.Sequence all = t.newSequence(rows);
            Transformer.Batch batch = t.newBatch(rows);
            float[][] actual = new float[rows][];
            batch.onRowLogits((s, position, logits, offset) -> {
                assertThat(s).isSameAs(all);
                actual[position] = java.util.Arrays.copyOfRange(logits, offset, offset + vocab);
            });
            for (int i = 0; i < rows; i++) batch.add(all, prompt[i], i % 7 != 3); // a few rows without
            t.run(batch, parallel);
            for (int i = 0; i < rows; i++) {
                if (i % 7 == 3) assertThat(actual[i]).as("row %d", i).isNull();
                else assertClose(actual[i], expected[i], "row " + i);
            }
            assertThat(all.logits()).isEqualTo(actual[rows - 1]);
        }
    }

    @Test
    void decodingSequencesTogetherEqualsDecodingEachAlone() {
        try (GgufFile file = GgufFile.open(TestModels.file("arch/A-llama-Q4_K.gguf")); Parallel parallel = new Parallel(2)) {
            Transformer t = load(file);
            int b = 5;
            Transformer.Sequence[] together = new Transformer.Sequence[b], alone = new Transformer.Sequence[b];
            for (int i = 0; i < b; i++) {
                int[] prompt = randomTokens(3 + 4 * i, t.config().vocabSize(), 10 + i); // different lengths
                together[i] = t.newSequence(64);
                alone[i] = t.newSequence(64);
                t.forwardBatch(together[i], prompt, 0, prompt.length, false, parallel);
                t.forwardBatch(alone[i], prompt, 0, prompt.length, false, parallel);
            }
            for (int step = 0; step < 4; step++) {
                int[] tokens = randomTokens(b, t.config().vocabSize(), 100 + step);
                t.decodeBatch(together, tokens, parallel);
                for (int i = 0; i < b; i++) {
                    float[] expected = t.forward(alone[i], tokens[i], parallel);
                    assertClose(together[i].logits(), expected, "sequence " + i + " step " + step);
                }
            }
        }
    }

    static void assertClose(float[] actual, float[] expected, String what) {
        assertClose(actual, expected, what, 1e-5);
    }

    static void assertClose(float[] actual, float[] expected, String what, double tolerance) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        assertThat(TransformerReferenceTest.maxNormalisedError(actual, e)).as(what).isLessThan(tolerance);
    }
}
