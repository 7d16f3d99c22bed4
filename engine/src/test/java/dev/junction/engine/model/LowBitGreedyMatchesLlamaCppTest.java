package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.kernel.Parallel;
import dev.junction.testkit.LlamaCppReference;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The Q2_K, Q3_K, IQ4_NL and IQ4_XS requantizations of A-llama (testdata/models/arch2) run through the llama forward
 * pass and reproduce llama.cpp's greedy run on their exactly dequantized F32 weights ({@code <file>.P0.ref.txt}).
 */
class LowBitGreedyMatchesLlamaCppTest {
    /**
     * Exact mode: float activations, the weights dequantized exactly; llama.cpp computed in F32 too (measured: at most
     * 1.4e-5 apart on all four files).
     */
    static final float EXACT_TOLERANCE = 1e-4f;
    /**
     * The default mode rounds the activations to 8 bits before every block-quantized product (Q8_K for these types'
     * super-blocks, Q8_0 for IQ4_NL), as llama.cpp does on the CPU, while the reference kept them float: the bound is
     * TransformerReferenceTest's for that rounding, a fraction of the step's top logit (measured here: up to 4.8 % of
     * it for Q2_K, 0.83 in absolute terms; Q3_K 2.7 %, IQ4_NL 1.8 %, IQ4_XS 3.6 %). The greedy ids must still be
     * llama.cpp's at every step.
     */
    static final float QUANTIZED_TOLERANCE = (float) TransformerReferenceTest.QUANTIZED_ACTIVATION_TOLERANCE;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"A-llama-Q2_K", "A-llama-Q3_K", "A-llama-IQ4_NL", "A-llama-IQ4_XS"})
    void exactModeReproducesLlamaCpp(String name) {
        run(TestModels.file("arch2/" + name + ".gguf"), true);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"A-llama-Q2_K", "A-llama-Q3_K", "A-llama-IQ4_NL", "A-llama-IQ4_XS"})
    void defaultModeKeepsTheGreedyIds(String name) {
        run(TestModels.file("arch2/" + name + ".gguf"), false);
    }

    /**
     * Greedy generation from the reference's prompt; returns the largest top-5 logit difference seen (exact: absolute;
     * else relative to the step's top logit).
     */
    static double run(Path path, boolean exact) {
        LlamaCppReference.Section ref = LlamaCppReference.forModel(path).only();
        double worst = 0;
        try (GgufFile file = GgufFile.open(path); Parallel parallel = new Parallel(2)) {
            int vocab = file.metadata().requireStringArray("tokenizer.ggml.tokens").length;
            ModelConfig config = ModelConfig.read(path, file.metadata(), Architecture.LLAMA, vocab);
            TensorManifest.of(config).check(file);
            Transformer t = new Transformer(config, Weights.load(file, config), exact);
            Transformer.Sequence seq = t.newSequence(64);
            float[] logits = null;
            for (int id : ref.promptIds()) logits = t.forward(seq, id, parallel);
            int[] generated = new int[ref.steps().size()];
            for (int step = 0; step < ref.steps().size(); step++) {
                LlamaCppReference.Step expected = ref.steps().get(step);
                int[] top = GreedyMatchesLlamaCppTest.topIndices(logits, 5);
                if (exact) assertThat(top).as("%s top-5 ids at step %d", path.getFileName(), step).containsExactly(expected.ids());
                else assertThat(top[0]).as("%s greedy id at step %d", path.getFileName(), step).isEqualTo(expected.ids()[0]);
                float scale = exact ? 1 : Math.abs(expected.logits()[0]);
                float tolerance = exact ? EXACT_TOLERANCE : QUANTIZED_TOLERANCE * scale;
                for (int k = 0; k < 5; k++) {
                    float got = logits[expected.ids()[k]], want = expected.logits()[k];
                    worst = Math.max(worst, Math.abs(got - want) / scale);
                    assertThat(got).as("%s logit of %d at step %d", path.getFileName(), expected.ids()[k], step)
                            .isCloseTo(want, within(tolerance));
                }
                generated[step] = top[0];
                logits = t.forward(seq, top[0], parallel);
            }
            assertThat(generated).isEqualTo(ref.generatedIds());
        }
        return worst;
    }

    @Test
    void referenceFilesParse() {
        LlamaCppReference.Section s = LlamaCppReference.forModel(TestModels.file("arch2/A-llama-Q2_K.gguf")).only();
        assertThat(s.label()).isEqualTo("DEQUANT-F32, KV F32");
        assertThat(s.promptIndex()).isZero();
        assertThat(s.prompt()).isEqualTo("Once upon a time");
        assertThat(s.kvCache()).isEqualTo("F32");
        assertThat(s.promptIds()).containsExactly(1, 403, 407, 261, 378);
        assertThat(s.steps()).hasSize(16);
        assertThat(s.generatedIds()).containsExactly(55, 18, 66, 107, 380, 131, 247, 254, 189, 506, 355, 118, 134, 416, 325, 244);
        LlamaCppReference.Step first = s.steps().getFirst();
        assertThat(first.ids()).containsExactly(55, 102, 186, 88, 479);
        assertThat(first.pieces()).containsExactly("4", "c", "\\xb7", "U", "2");
        assertThat(first.logits()).containsExactly(19.316740f, 17.861217f, 14.870303f, 14.815005f, 14.361012f);
        for (LlamaCppReference.Step step : s.steps()) {
            assertThat(step.margin()).isCloseTo(step.logits()[0] - step.logits()[1], within(2e-6f));
        }
        for (String name : new String[] {"A-llama-Q3_K", "A-llama-IQ4_NL", "A-llama-IQ4_XS", "G-gpt-oss-MXFP4", "F-gemma3-F16"}) {
            LlamaCppReference.Section other = LlamaCppReference.forModel(TestModels.file("arch2/" + name + ".gguf")).only();
            assertThat(other.steps()).as(name).hasSize(16);
            assertThat(other.generatedIds()).as(name).hasSize(16);
        }
    }
}
