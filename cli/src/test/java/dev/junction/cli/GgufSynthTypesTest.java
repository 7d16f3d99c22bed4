package dev.junction.cli;

import dev.junction.cli.InProcessCli.Result;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code junction gguf synth --type} with the low-bit and non-linear types and the Q3_K_M mix: the file loads and runs. */
class GgufSynthTypesTest {
    @TempDir
    static Path home;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Q2_K", "Q3_K", "IQ4_NL", "IQ4_XS", "MXFP4", "Q3_K_M"})
    void synthWritesAModelOfTheTypeThatRuns(String type, @TempDir Path dir) {
        Path file = dir.resolve("tiny-" + type + ".gguf");
        Result w = run("gguf", "synth", "--arch", "llama", "--hidden", "256", "--layers", "2", "--heads", "4",
                "--kv-heads", "2", "--ffn", "512", "--vocab", "400", "--type", type, "-o", file.toString());
        assertThat(w.exitCode()).as(w.err()).isZero();
        Result r = run("run", file.toString(), "-p", "hello", "-n", "5", "--temp", "0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("generation: 5 tokens");
        String info = run("info", file.toString()).out();
        if (type.equals("Q3_K_M")) assertThat(info).contains("Q3_K").contains("Q4_K").contains("Q5_K").contains("Q6_K");
        else assertThat(info).contains(type);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt-oss-20b:MXFP4_MOE", "qwen3-30b-a3b:Q4_K_M", "gemma-3-4b:Q4_K_M"})
    void aPresetOfANewArchitectureShrunkToATestSizeWritesAndRuns(String presetAndType, @TempDir Path dir) {
        String preset = presetAndType.split(":")[0], type = presetAndType.split(":")[1];
        Path file = dir.resolve(preset + ".gguf");
        Result w = run("gguf", "synth", "--preset", preset, "--hidden", "256", "--layers", "2", "--heads", "4",
                "--kv-heads", "2", "--ffn", "256", "--vocab", "400", "--ctx", "512", "--type", type, "-o",
                file.toString());
        assertThat(w.exitCode()).as(w.err()).isZero();
        Result r = run("run", file.toString(), "-p", "hello", "-n", "4", "--temp", "0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("generation: 4 tokens");
        String info = run("info", file.toString()).out();
        if (type.equals("MXFP4_MOE")) assertThat(info).contains("MXFP4").contains("Q8_0");
        else assertThat(info).contains("Q4_K").contains("Q6_K");
    }

    private static Result run(String... args) {
        return new InProcessCli(home).run(args);
    }
}
