package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.kernel.Parallel;
import dev.junction.testkit.GreedyReference;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The default model, run greedily, reproduces llama.cpp's ids and top-5 logits at every one of 32 steps. */
class GreedyMatchesLlamaCppTest {
    @Test
    void idsAndTopFiveLogitsMatchLlamaCpp() {
        GreedyReference ref = GreedyReference.stories260K();
        assertThat(ref.promptIds()).containsExactly(1, 403, 407, 261, 378);
        try (GgufFile file = GgufFile.open(TestModels.stories260K()); Parallel parallel = new Parallel(2)) {
            ModelConfig config = ModelConfig.read(file.path(), file.metadata(), Architecture.LLAMA, 512);
            Transformer t = new Transformer(config, Weights.load(file, config));
            Transformer.Sequence seq = t.newSequence(64);
            float[] logits = null;
            for (int id : ref.promptIds()) logits = t.forward(seq, id, parallel);
            for (int step = 0; step < ref.steps().size(); step++) {
                GreedyReference.Step expected = ref.steps().get(step);
                int[] top = topIndices(logits, 5);
                assertThat(top).as("top-5 ids at step %d", step).containsExactly(expected.ids());
                for (int k = 0; k < 5; k++) {
                    float want = expected.logits()[k];
                    assertThat(logits[top[k]]).as("logit of %d at step %d", top[k], step)
                            .isCloseTo(want, within(Math.abs(want) * 1e-4f));
                }
                logits = t.forward(seq, top[0], parallel);
            }
        }
    }

    static int[] topIndices(float[] logits, int k) {
        int[] best = new int[k];
        java.util.Arrays.fill(best, -1);
        for (int i = 0; i < logits.length; i++) {
            for (int j = 0; j < k; j++) {
                if (best[j] < 0 || logits[i] > logits[best[j]]) {
                    System.arraycopy(best, j, best, j + 1, k - j - 1);
                    best[j] = i;
                    break;
                }
            }
        }
        return best;
    }
}
