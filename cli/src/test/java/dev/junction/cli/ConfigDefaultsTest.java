package dev.junction.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigDefaultsTest {
    @TempDir
    Path dir;

    ServeCommand parse(Map<String, String> env, String... args) {
        var quiet = InProcessCli.environment(dir, "", Writer.nullWriter(), Writer.nullWriter());
        ServeCommand serve = new ServeCommand(quiet);
        CommandLine cli = new CommandLine(serve);
        cli.setDefaultValueProvider(ConfigDefaults.forArgs(args, env));
        cli.parseArgs(args);
        return serve;
    }

    @Test
    void theCommandLineWinsThenTheEnvironmentThenTheFileThenTheBuiltInDefault() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, "server:\n  port: 7000\n  max_queue: 5\n  max-running: 3\n  model: [a=a.gguf, b.gguf]\n");

        ServeCommand serve = parse(Map.of("JUNCTION_PORT", "7100", "JUNCTION_MAX_QUEUE", "6"),
                "--config", file.toString(), "--max-queue", "7");

        assertThat(serve.maxQueue).isEqualTo(7);       // command line
        assertThat(serve.port).isEqualTo(7100);        // environment
        assertThat(serve.maxRunning).isEqualTo(3);     // file
        assertThat(serve.graceSeconds).isEqualTo(30);  // built in
        assertThat(serve.models).containsExactly("a=a.gguf", "b.gguf");
    }

    @Test
    void theConfigFileCanComeFromTheEnvironment() throws Exception {
        Path file = dir.resolve("serve.yaml");
        Files.writeString(file, "server: {host: 0.0.0.0}\n");

        assertThat(parse(Map.of("JUNCTION_CONFIG", file.toString())).host).isEqualTo("0.0.0.0");
    }

    @Test
    void aMissingConfigFileIsAClearError() {
        assertThatThrownBy(() -> parse(Map.of(), "--config", dir.resolve("nope.yaml").toString()))
                .hasMessageContaining("configuration file not found");
    }

    @Test
    void aBrokenConfigFileNamesTheKeyAndLine() throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "server:\n  port: 7000\n  max_queu: 5\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", file.toString()))
                .hasMessageContaining("broken.yaml:3").hasMessageContaining("max_queu");
    }

    @Test
    void modelsAreNamedByTheirFileUnlessNamed() {
        assertThat(ServeCommand.parse("llama=models/Llama-3.2-1B.Q4_0.gguf", dir).name()).isEqualTo("llama");
        assertThat(ServeCommand.parse("models/Llama-3.2-1B.Q4_0.gguf", dir).name()).isEqualTo("Llama-3.2-1B.Q4_0");
        var embedded = ServeCommand.parse("", dir);
        assertThat(embedded.name()).isEqualTo(DefaultModel.NAME);
        assertThat(embedded.path()).isEqualTo(dir.resolve("models").resolve(DefaultModel.NAME + ".gguf"))
                .isRegularFile();
    }
}
