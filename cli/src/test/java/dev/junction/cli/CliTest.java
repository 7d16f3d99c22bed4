package dev.junction.cli;

import dev.junction.testkit.GreedyReference;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands as a user runs them, in-process: arguments in, stdout/stderr and exit code out. */
class CliTest {
    @TempDir
    static Path home;

    record Result(int exitCode, String out, String err) {}

    @BeforeAll
    static void isolateDataFolder() {
        System.setProperty("junction.home", home.toString());
    }

    static Result junction(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
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

    @Test
    void tokenizeJsonlPassesEveryTokenizerTestVector() throws IOException {
        try (var files = Files.list(TestModels.dir().resolve("vocab"))) {
            for (Path out : files.filter(p -> p.toString().endsWith(".gguf.out")).sorted().toList()) {
                Path vocab = Path.of(out.toString().replaceFirst("\\.out$", ""));
                if (!Files.exists(vocab) || vocab.getFileName().toString().contains("bert-bge")) continue;
                String[] inputs = Files.readString(Path.of(vocab + ".inp")).split("\n__ggml_vocab_test__\n", -1);
                String[] expected = Files.readString(out).split("\n", -1);
                StringBuilder jsonl = new StringBuilder();
                var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
                int n = Math.min(inputs.length, expected.length);
                for (int i = 0; i < n; i++) jsonl.append(mapper.writeValueAsString(inputs[i])).append('\n');
                TokenizeCommand.stdin = new ByteArrayInputStream(jsonl.toString().getBytes(StandardCharsets.UTF_8));
                Result r = junction("tokenize", vocab.toString(), "--jsonl");
                assertThat(r.exitCode()).as(vocab + ": " + r.err()).isZero();
                String[] lines = r.out().split("\n", -1);
                for (int i = 0; i < n; i++) {
                    assertThat(lines[i]).as("%s case %d: %s", vocab.getFileName(), i, inputs[i]).isEqualTo(expected[i].strip());
                }
            }
        } finally {
            TokenizeCommand.stdin = System.in;
        }
    }

    @Test
    void runWithoutPromptChatsAndKeepsTheConversationInTheCache() {
        RunCommand.stdin = new ByteArrayInputStream("Lily went to the park.\nThen she went home.\n".getBytes(StandardCharsets.UTF_8));
        try {
            Result r = junction("run", "-n", "8", "--temp", "0");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("> ").contains("\n> ");
            assertThat(r.err()).contains("Ctrl-D").containsPattern("prompt: \\d+ tokens \\([1-9]\\d* cached\\)");
        } finally {
            RunCommand.stdin = System.in;
        }
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
