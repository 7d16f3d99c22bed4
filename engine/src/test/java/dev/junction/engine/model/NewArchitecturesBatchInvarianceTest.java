package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.kernel.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For the new architectures (mixture of experts grouped by expert, sliding windows, sinks), a row's logits are the
 * same bits whether its tokens run one by one, in prompt chunks of any size, or in a batched decode step with other
 * sequences: the step's other rows change which experts are read together, never a row's result.
 */
class NewArchitecturesBatchInvarianceTest {
    private static final int TOKENS = 40; // past two attention tiles and five windows of 8

    @ParameterizedTest(name = "{0}, exact {1}")
    @CsvSource({"E-qwen3moe-Q8_0, false", "E-qwen3moe-F16, true", "F-gemma3-Q4_K, false", "F-gemma3-F16, true",
            "G-gpt-oss-Q8_0, false", "G-gpt-oss-F16, true"})
    void chunkedPromptsAndBatchedDecodeGiveTheLogitsOfOneByOne(String name, boolean exact) {
        try (GgufFile file = GgufFile.open(NewArchitecturesTest.file(name)); Parallel parallel = new Parallel(2)) {
            Transformer t = NewArchitecturesTest.load(file, exact);
            int[][] prompts = {tokens(1), tokens(2), tokens(3)};
            List<List<float[]>> alone = new ArrayList<>();
            for (int[] p : prompts) alone.add(oneByOne(t, p, parallel));

            for (int chunk : new int[]{3, 16, TOKENS}) {
                Transformer.Sequence s = t.newSequence(TOKENS);
                Transformer.Batch batch = t.newBatch(chunk);
                List<float[]> rows = new ArrayList<>();
                batch.onRowLogits((seq, pos, logits, offset) -> rows.add(copy(logits, offset, t)));
                for (int from = 0; from < TOKENS; from += chunk) {
                    for (int i = from; i < Math.min(TOKENS, from + chunk); i++) batch.add(s, prompts[0][i], true);
                    t.run(batch, parallel);
                }
                for (int pos = 0; pos < TOKENS; pos++) {
                    assertThat(bits(rows.get(pos))).as("%s: chunks of %d, position %d", name, chunk, pos)
                            .containsExactly(bits(alone.getFirst().get(pos)));
                }
            }

            // three sequences over one paged pool, decoded together step by step
            KvPool pool = new KvPool(t.config(), 3 * Math.ceilDiv(TOKENS, 16), 16, KvCache.Type.F32);
            Transformer.Sequence[] seqs = new Transformer.Sequence[3];
            int block = 0;
            for (int i = 0; i < 3; i++) {
                seqs[i] = t.newSequence(pool);
                for (int b = 0; b < Math.ceilDiv(TOKENS, 16); b++) seqs[i].appendBlock(block++);
            }
            for (int pos = 0; pos < TOKENS; pos++) {
                int[] step = {prompts[0][pos], prompts[1][pos], prompts[2][pos]};
                t.decodeBatch(seqs, step, parallel);
                for (int i = 0; i < 3; i++) {
                    assertThat(bits(seqs[i].logits())).as("%s: batched decode, sequence %d, position %d", name, i, pos)
                            .containsExactly(bits(alone.get(i).get(pos)));
                }
            }
        }
    }

    private static List<float[]> oneByOne(Transformer t, int[] tokens, Parallel parallel) {
        Transformer.Sequence s = t.newSequence(TOKENS);
        List<float[]> out = new ArrayList<>();
        for (int token : tokens) out.add(t.forward(s, token, parallel).clone());
        return out;
    }

    private static int[] tokens(long seed) {
        Random r = new Random(seed);
        int[] t = new int[TOKENS];
        t[0] = 1;
        for (int i = 1; i < TOKENS; i++) t[i] = 3 + r.nextInt(509);
        return t;
    }

    private static float[] copy(float[] logits, int offset, Transformer t) {
        float[] c = new float[t.config().vocabSize()];
        System.arraycopy(logits, offset, c, 0, c.length);
        return c;
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
