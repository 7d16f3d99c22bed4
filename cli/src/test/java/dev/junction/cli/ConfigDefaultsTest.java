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
        Path file = dir.resolve("junction.properties");
        Files.writeString(file, "port = 7000\nmax-queue = 5\nmax-running = 3\nmodel = a=a.gguf, b.gguf\n");

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
        Path file = dir.resolve("serve.properties");
        Files.writeString(file, "host = 0.0.0.0\n");

        assertThat(parse(Map.of("JUNCTION_CONFIG", file.toString())).host).isEqualTo("0.0.0.0");
    }

    @Test
    void aMissingConfigFileIsAClearError() {
        assertThatThrownBy(() -> parse(Map.of(), "--config", dir.resolve("nope.properties").toString()))
                .hasMessageContaining("configuration file not found");
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
