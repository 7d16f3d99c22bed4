package dev.junction.cli;

import dev.junction.engine.runtime.EngineConfig;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code junction bench serve} against a running server: one table row per concurrency level, nothing failed. */
class ServeBenchTest {
    @Test
    void benchServeReportsEachConcurrencyLevel(@TempDir Path home) {
        var junction = new InProcessCli(home);
        var model = new Serving.NamedModel("stories260K", TestModels.stories260K());
        try (Serving serving = Serving.start(List.of(model), EngineConfig.defaults().withContextLength(256),
                ServerConfig.defaults().withPort(0), 2, false, new PrintWriter(new StringWriter()))) {
            var table = junction.run("bench", "serve", "--url", serving.baseUri().toString(),
                    "-c", "1,3", "--requests", "6", "-n", "8");

            assertThat(table.exitCode()).as(table.err()).isZero();
            List<String> rows = table.out().lines().filter(l -> l.startsWith("| stories260K")).toList();
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0)).startsWith("| stories260K | 1 | 6 | 0 |");
            assertThat(rows.get(1)).startsWith("| stories260K | 3 | 6 | 0 |");

            var json = junction.run("bench", "serve", "--url", serving.baseUri().toString(), "-c", "2",
                    "--requests", "2", "-n", "4", "--json");
            assertThat(json.out()).contains("\"concurrency\":2", "\"failed\":0", "\"output_tokens_per_second\"",
                    "\"ttft_p50_ms\"", "\"itl_p99_ms\"");
        }
    }
}
