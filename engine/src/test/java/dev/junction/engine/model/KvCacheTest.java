package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.kernel.Parallel;
import dev.junction.testkit.GreedyReference;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KvCacheTest {
    @Test
    void anF16CacheGivesLlamaCppsGreedyTokensAndLogitsCloseToF32() {
        GreedyReference ref = GreedyReference.stories260K();
        try (GgufFile file = GgufFile.open(TestModels.stories260K()); Parallel parallel = new Parallel(2)) {
            Transformer t = BatchingTest.load(file);
            Transformer.Sequence f16 = t.newSequence(64, KvCache.Type.F16), f32 = t.newSequence(64, KvCache.Type.F32);
            assertThat(f16.cache().bytes()).isEqualTo(f32.cache().bytes() / 2);
            float[] a = t.forwardBatch(f16, ref.promptIds(), 0, ref.promptIds().length, true, parallel);
            float[] b = t.forwardBatch(f32, ref.promptIds(), 0, ref.promptIds().length, true, parallel);
            for (int expected : ref.generatedIds()) {
                int best = GreedyMatchesLlamaCppTest.topIndices(a, 1)[0];
                assertThat(best).isEqualTo(expected);
                BatchingTest.assertClose(a, b, "F16 vs F32 cache", 1e-3);
                a = t.forward(f16, best, parallel);
                b = t.forward(f32, best, parallel);
            }
        }
    }

    @Test
    void longContextsNeedNoBufferOfTheirLength() {
        try (GgufFile file = GgufFile.open(TestModels.stories260K()); Parallel parallel = new Parallel(2)) {
            Transformer t = BatchingTest.load(file);
            int n = 2048; // the model's whole context, in prompt chunks
            int[] tokens = BatchingTest.randomTokens(n, t.config().vocabSize(), 3);
            Transformer.Sequence s = t.newSequence(n, KvCache.Type.F16);
            float[] logits = t.forwardBatch(s, tokens, 0, n, true, parallel);
            assertThat(s.length()).isEqualTo(n);
            for (float v : logits) assertThat(v).isFinite();
        }
    }
}
