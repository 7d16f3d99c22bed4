package dev.junction.engine.tokenizer;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * llama.cpp's test-tokenizer-0 vectors: every vocabulary with a .gguf and .inp/.out pair in testdata/models/vocab
 * (gpt-4o's vectors are js-tiktoken's, see {@link O200kVocabTest}).
 */
class VocabConformanceTest {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    static Tokenizer load(String name) {
        return LOADED.computeIfAbsent(name, n -> {
            try (GgufFile f = GgufFile.open(TestModels.file("vocab/ggml-vocab-" + n + ".gguf"))) {
                return Tokenizer.fromGguf(f.metadata());
            }
        });
    }

    record Case(String input, int[] expected) {}

    static List<Case> cases(String name) throws IOException {
        return cases(TestModels.file("vocab/ggml-vocab-" + name + ".gguf.inp"),
                TestModels.file("vocab/ggml-vocab-" + name + ".gguf.out"));
    }

    /** The strings of an {@code .inp} file and the ids of the matching {@code .out} file. */
    static List<Case> cases(Path inp, Path out) throws IOException {
        String text = Files.readString(inp, StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>(Arrays.asList(text.split(SEPARATOR, -1)));
        if (inputs.getLast().isEmpty()) inputs.removeLast();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(inputs.size());
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String line = lines.get(i).trim();
            int[] ids = line.isEmpty() ? new int[0]
                    : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(inputs.get(i), ids));
        }
        return cases;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "falcon", "deepseek-llm", "deepseek-coder", "llama-bpe",
            "qwen2", "mpt", "starcoder", "refact", "gpt-4o"})
    void matchesLlamaCppVectors(String name) throws IOException {
        Tokenizer tok = load(name);
        List<String> failures = new ArrayList<>();
        List<Case> cases = cases(name);
        for (Case c : cases) {
            int[] got = tok.encode(c.input(), false, false);
            if (!Arrays.equals(got, c.expected())) {
                failures.add("input " + quote(c.input()) + "\n   expected " + Arrays.toString(c.expected())
                        + "\n   got      " + Arrays.toString(got));
            }
        }
        assertThat(failures).as(name + ": " + failures.size() + "/" + cases.size() + " cases differ").isEmpty();
    }

    static String quote(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
