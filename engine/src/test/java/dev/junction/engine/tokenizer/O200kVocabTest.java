package dev.junction.engine.tokenizer;

import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * o200k_harmony (gpt-oss, {@code tokenizer.ggml.pre = gpt-4o}) against js-tiktoken: the vocabulary GGUF is derived
 * from tiktoken's ranks and the vectors were made once with js-tiktoken 1.0.21 (and checked against gpt-tokenizer
 * 4.0.0, which agrees on every string); see bench/o200k/README.md. The plain vectors are also run, encode only, by
 * {@link VocabConformanceTest}.
 */
class O200kVocabTest {
    private static final Tokenizer TOK = VocabConformanceTest.load("gpt-4o");

    @Test
    void encodesAndDecodesEveryVectorAsJsTiktoken() throws IOException {
        List<VocabConformanceTest.Case> cases = VocabConformanceTest.cases("gpt-4o");
        assertThat(cases).hasSizeGreaterThan(500);
        List<String> failures = new ArrayList<>();
        for (VocabConformanceTest.Case c : cases) {
            int[] got = TOK.encode(c.input(), false, false);
            if (!Arrays.equals(got, c.expected())) {
                failures.add("encode " + VocabConformanceTest.quote(c.input()) + "\n   expected "
                        + Arrays.toString(c.expected()) + "\n   got      " + Arrays.toString(got));
            }
            String text = TOK.decode(c.expected());
            if (!text.equals(c.input())) {
                failures.add("decode " + Arrays.toString(c.expected()) + " gives " + VocabConformanceTest.quote(text)
                        + ", not " + VocabConformanceTest.quote(c.input()));
            }
        }
        assertThat(failures).as(failures.size() + " failures in " + cases.size() + " cases").isEmpty();
    }

    @Test
    void parsesHarmonySpecialTokensAsJsTiktoken() throws IOException {
        List<VocabConformanceTest.Case> cases = VocabConformanceTest.cases(
                TestModels.file("vocab/ggml-vocab-gpt-4o.gguf.special.inp"),
                TestModels.file("vocab/ggml-vocab-gpt-4o.gguf.special.out"));
        List<String> failures = new ArrayList<>();
        for (VocabConformanceTest.Case c : cases) {
            int[] got = TOK.encode(c.input(), false, true);
            if (!Arrays.equals(got, c.expected())) {
                failures.add("encode " + VocabConformanceTest.quote(c.input()) + "\n   expected "
                        + Arrays.toString(c.expected()) + "\n   got      " + Arrays.toString(got));
            }
            String text = TOK.decode(c.expected(), false, true);
            if (!text.equals(c.input())) failures.add("decode gives " + VocabConformanceTest.quote(text));
        }
        assertThat(failures).as(failures.size() + " failures in " + cases.size() + " cases").isEmpty();
    }

    @Test
    void harmonyTokensHaveTheirIds() {
        assertThat(TOK.vocabSize()).isEqualTo(201088);
        String[] names = {"<|startoftext|>", "<|endoftext|>", "<|return|>", "<|constrain|>", "<|channel|>",
                "<|start|>", "<|end|>", "<|message|>", "<|call|>", "<|endofprompt|>"};
        int[] ids = {199998, 199999, 200002, 200003, 200005, 200006, 200007, 200008, 200012, 200018};
        for (int i = 0; i < names.length; i++) assertThat(TOK.tokenId(names[i])).as(names[i]).hasValue(ids[i]);
        assertThat(TOK.piece(200000)).isEqualTo("<|reserved_200000|>");
        assertThat(TOK.piece(201087)).isEqualTo("<|reserved_201087|>");
        assertThat(TOK.bos()).isEqualTo(199998);
        assertThat(TOK.eos()).isEqualTo(200002);
    }

    /** llama.cpp's gpt-oss rules: which markers end generation, which are always rendered and recognised. */
    @Test
    void harmonyEndOfGenerationAndRenderingAsLlamaCpp() {
        assertThat(TOK.isEndOfGeneration(200002)).as("<|return|>").isTrue();
        assertThat(TOK.isEndOfGeneration(200012)).as("<|call|>").isTrue();
        assertThat(TOK.isEndOfGeneration(199999)).as("<|endoftext|>").isTrue();
        assertThat(TOK.isEndOfGeneration(200007)).as("<|end|> ends a message only").isFalse();
        for (int id : new int[] {200003, 200005, 200006, 200007, 200008}) {
            assertThat(TOK.isControl(id)).as(TOK.piece(id)).isFalse();
        }
        assertThat(TOK.isControl(200002)).isTrue();
        assertThat(TOK.isControl(200012)).isTrue();
        // the message markers are user-defined: rendered without unparseSpecial, so the reasoning parser sees them
        int[] reply = TOK.encode("<|channel|>final<|message|>Hi<|end|>", false, true);
        assertThat(reply).containsExactly(200005, 17196, 200008, 12194, 200007);
        assertThat(TOK.decode(reply, false, false)).isEqualTo("<|channel|>final<|message|>Hi<|end|>");
        assertThat(TOK.decode(new int[] {200002}, false, false)).isEmpty();
        assertThat(TOK.decode(new int[] {200002}, false, true)).isEqualTo("<|return|>");
        // ... and recognised in text even when special tokens are not parsed; control tokens are not
        assertThat(TOK.encode("<|start|>user<|message|>", false, false)).containsExactly(200006, 1428, 200008);
        assertThat(TOK.encode("<|return|>", false, false)).doesNotContain(200002);
    }
}
