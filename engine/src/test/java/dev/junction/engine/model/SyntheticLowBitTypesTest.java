package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.engine.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random-weight models in the types Q2_K, Q3_K, IQ4_NL, IQ4_XS and MXFP4, and the Q3_K_M mix, written by the
 * project's quantizers, load and run and agree with the plain reference implementation (as
 * {@link SyntheticModelReferenceTest} for the other types).
 */
class SyntheticLowBitTypesTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = GgmlType.class, names = {"Q2_K", "Q3_K", "IQ4_NL", "IQ4_XS", "MXFP4"})
    void everyTypeAgreesWithTheReference(GgmlType type) throws IOException {
        Path file = dir.resolve("tiny-" + type + ".gguf");
        SyntheticModelReferenceTest.tiny("llama").withType(type, null).write(file, LoadProgress.NONE);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.requireTensor("blk.1.ffn_down.weight").type()).isEqualTo(type);
        }
        TransformerReferenceTest.assertAgrees(file, new int[]{1, 42, 7, 299, 100}, 2);
    }

    @Test
    void theQ3KMMixFollowsLlamaCppsRuleAndAgreesWithTheReference() throws IOException {
        Path file = dir.resolve("tiny-q3km.gguf");
        new SyntheticModel("llama", 256, 16, 4, 2, 256, 300, 256, 10000f, false, GgmlType.F32, null, null, null, 7, 0.05f)
                .withQ3KM().write(file, LoadProgress.NONE);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(type(f, "output.weight")).isEqualTo(GgmlType.Q6_K);
            assertThat(type(f, "token_embd.weight")).isEqualTo(GgmlType.Q3_K);
            for (int layer = 0; layer < 16; layer++) {
                String b = "blk." + layer + ".";
                assertThat(type(f, b + "attn_q.weight")).isEqualTo(GgmlType.Q3_K);
                assertThat(type(f, b + "attn_k.weight")).isEqualTo(GgmlType.Q3_K);
                assertThat(type(f, b + "ffn_gate.weight")).isEqualTo(GgmlType.Q3_K);
                assertThat(type(f, b + "ffn_up.weight")).isEqualTo(GgmlType.Q3_K);
                assertThat(type(f, b + "attn_output.weight")).isEqualTo(GgmlType.Q4_K);
                assertThat(type(f, b + "attn_v.weight")).isEqualTo(layer < 2 ? GgmlType.Q5_K : GgmlType.Q4_K);
                assertThat(type(f, b + "ffn_down.weight")).isEqualTo(layer < 1 ? GgmlType.Q5_K : GgmlType.Q4_K);
            }
        }
        TransformerReferenceTest.assertAgrees(file, new int[]{1, 42, 7}, 2);
    }

    @Test
    void withTiedEmbeddingsTheEmbeddingTableTakesTheOutputsTypeAsInLlamaCppsMixes() throws IOException {
        Path file = dir.resolve("tiny-tied-q4km.gguf");
        new SyntheticModel("llama", 256, 4, 4, 2, 256, 300, 256, 10000f, true, GgmlType.F32, null, null, null, 7, 0.05f)
                .withQ4KM().write(file, LoadProgress.NONE);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.tensors()).doesNotContainKey("output.weight");
            assertThat(type(f, "token_embd.weight")).isEqualTo(GgmlType.Q6_K);
            assertThat(type(f, "blk.1.attn_q.weight")).isEqualTo(GgmlType.Q4_K);
        }
        TransformerReferenceTest.assertAgrees(file, new int[]{1, 42, 7}, 2);
    }

    private static GgmlType type(GgufFile f, String name) {
        TensorInfo info = f.requireTensor(name);
        return info.type();
    }
}
