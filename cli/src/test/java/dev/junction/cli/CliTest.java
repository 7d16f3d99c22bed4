package dev.junction.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.cli.InProcessCli.Result;
import dev.junction.testkit.GreedyReference;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands as a user runs them, in-process: arguments in, stdout/stderr and exit code out. */
class CliTest {
    @TempDir
    static Path home;

    static Result junction(String... args) {
        return new InProcessCli(home).run(args);
    }

    @Test
    void runPrintsLlamaCppsGreedyContinuationWithTheEmbeddedModel() {
        Result r = junction("run", "-p", "Once upon a time", "-n", "32", "--temp", "0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(GreedyReference.stories260K().continuation() + "\n");
        assertThat(r.out()).isEqualTo(", there was a little girl named Lily. She loved to play outside in the park. One day, she saw\n");
        assertThat(r.err()).contains("prompt: 5 tokens").contains("generation: 32 tokens").contains("tokens/s");
    }

    @Test
    void showLogitsPrintsLlamaCppsTopLogitsPerStepAsJsonLines() throws IOException {
        GreedyReference ref = GreedyReference.stories260K();
        Result r = junction("run", "-p", "Once upon a time", "-n", "8", "--temp", "0", "--show-logits", "5", "--jsonl",
                "--exact");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(8);
        ObjectMapper json = new ObjectMapper();
        for (int step = 0; step < lines.size(); step++) {
            var line = json.readTree(lines.get(step));
            GreedyReference.Step expected = ref.steps().get(step);
            assertThat(line.get("step").asInt()).isEqualTo(step);
            assertThat(line.get("token").asInt()).isEqualTo(expected.ids()[0]);
            var top = line.get("top");
            assertThat(top).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(top.get(i).get(0).asInt()).as("step %d rank %d", step, i).isEqualTo(expected.ids()[i]);
                assertThat(top.get(i).get(1).floatValue()).as("step %d rank %d", step, i)
                        .isCloseTo(expected.logits()[i], org.assertj.core.api.Assertions.within(1e-4f));
            }
        }
        Result text = junction("run", "-p", "Once upon a time", "-n", "2", "--temp", "0", "--show-logits", "2");
        assertThat(text.out().lines().toList().getFirst()).startsWith("step 0 token " + ref.steps().get(0).ids()[0]
                + " top " + ref.steps().get(0).ids()[0] + ":");
        assertThat(junction("run", "--jsonl").exitCode()).isNotZero(); // needs -p
        assertThat(junction("run", "-p", "x", "--exact", "--cache-type", "F16").err()).contains("--exact");
    }

    @Test
    void tokenizePrintsIdsWithBos() {
        Result r = junction("tokenize", TestModels.stories260K().toString(), "Once upon a time");
        assertThat(r.out().strip()).isEqualTo("1 403 407 261 378");
        assertThat(junction("tokenize", TestModels.stories260K().toString(), "Once upon a time", "--no-bos").out().strip())
                .isEqualTo("403 407 261 378");
    }

    @Test
    void infoDescribesTheDefaultModel() {
        Result r = junction("info");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("architecture:  llama").contains("F32").contains("llama.embedding_length");
    }

    @Test
    void aCorruptModelIsOneClearLineAndANonZeroExit(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.gguf");
        Files.write(bad, Files.readAllBytes(TestModels.stories260K()), java.nio.file.StandardOpenOption.CREATE);
        try (var ch = java.nio.channels.FileChannel.open(bad, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(100_000);
        }
        Result r = junction("run", bad.toString(), "-p", "hi", "-n", "2");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err().strip()).startsWith("junction: " + bad).contains("truncated").doesNotContain("\n").doesNotContain("at dev.");
    }

    /** llama.cpp's test-tokenizer-0 vectors, for the vocabularies the engine's VocabConformanceTest checks. */
    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "falcon", "deepseek-llm", "deepseek-coder", "llama-bpe",
            "qwen2", "mpt", "starcoder", "refact"})
    void tokenizeJsonlPassesEveryTokenizerTestVector(String name) throws IOException {
        Path vocab = TestModels.file("vocab/ggml-vocab-" + name + ".gguf");
        List<String> inputs = new ArrayList<>(Arrays.asList(Files.readString(TestModels.file(
                "vocab/ggml-vocab-" + name + ".gguf.inp")).split("\n__ggml_vocab_test__\n", -1)));
        if (inputs.getLast().isEmpty()) inputs.removeLast(); // the separator ends every case, the last one too
        List<String> expected = Files.readAllLines(TestModels.file("vocab/ggml-vocab-" + name + ".gguf.out"));
        assertThat(expected).as("expected lines of " + name).hasSameSizeAs(inputs);
        ObjectMapper mapper = new ObjectMapper();
        StringBuilder jsonl = new StringBuilder();
        for (String input : inputs) jsonl.append(mapper.writeValueAsString(input)).append('\n');

        Result r = new InProcessCli(home).runWithStdin(jsonl.toString(), "tokenize", vocab.toString(), "--jsonl");

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).as("one line per case").hasSameSizeAs(inputs);
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(lines.get(i)).as("%s case %d: %s", name, i, inputs.get(i)).isEqualTo(expected.get(i).strip());
        }
    }

    @Test
    void runWithoutPromptChatsAndKeepsTheConversationInTheCache() {
        Result r = new InProcessCli(home).runWithStdin("Lily went to the park.\nThen she went home.\n",
                "run", "-n", "8", "--temp", "0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("> ").contains("\n> ");
        assertThat(r.err()).contains("Ctrl-D").containsPattern("prompt: \\d+ tokens \\([1-9]\\d* cached\\)");
    }

    @Test
    void theSameSeedGivesTheSameTextAndAnotherSeedAnotherText() {
        String a = junction("run", "-p", "Once upon a time", "-n", "24", "--temp", "1.0", "--seed", "42").out();
        String b = junction("run", "-p", "Once upon a time", "-n", "24", "--temp", "1.0", "--seed", "42").out();
        String c = junction("run", "-p", "Once upon a time", "-n", "24", "--temp", "1.0", "--seed", "43").out();
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void synthWritesARandomModelThatRuns(@TempDir Path dir) {
        Path file = dir.resolve("tiny.gguf");
        Result w = junction("gguf", "synth", "--arch", "qwen2", "--hidden", "256", "--layers", "2", "--heads", "4",
                "--kv-heads", "2", "--ffn", "512", "--vocab", "400", "--type", "Q4_K", "-o", file.toString());
        assertThat(w.exitCode()).as(w.err()).isZero();
        Result run = junction("run", file.toString(), "-p", "hello", "-n", "5", "--temp", "0");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("generation: 5 tokens");
        assertThat(junction("info", file.toString()).out()).contains("architecture:  qwen2").contains("Q4_K");
    }

    @Test
    void aVocabOnlyFileIsRefusedForRunningWithTheMissingTensorNamed() {
        Result r = junction("run", TestModels.file("vocab/ggml-vocab-gpt-2.gguf").toString(), "-p", "hi");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("gpt2").contains("unsupported architecture");
    }

    @Test
    void aLogitBiasBansAToken() {
        String banned = junction("run", "-p", "Once upon a time", "-n", "3", "--temp", "0", "--logit-bias", "432=-inf").out();
        assertThat(banned).doesNotStartWith(",").startsWith(" there");
    }
}
