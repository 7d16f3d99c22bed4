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
        for (int i = 0; i < names.length; i++) {
            assertThat(TOK.tokenId(names[i])).as(names[i]).hasValue(ids[i]);
            assertThat(TOK.isControl(ids[i])).as(names[i]).isTrue();
        }
        assertThat(TOK.piece(200000)).isEqualTo("<|reserved_200000|>");
        assertThat(TOK.piece(201087)).isEqualTo("<|reserved_201087|>");
        // without special parsing the markers are plain text
        assertThat(TOK.encode("<|start|>", false, false)).doesNotContain(200006);
        // rendered only when asked
        assertThat(TOK.decode(new int[] {200006, 1428, 200008}, false, false)).isEqualTo("user");
        assertThat(TOK.decode(new int[] {200006, 1428, 200008}, false, true)).isEqualTo("<|start|>user<|message|>");
    }
}
