package dev.junction.cli;

import dev.junction.testkit.upstream.FakeUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code junction serve} as a process: it starts with the embedded model, serves, and exits 0 on SIGTERM; with a
 * routing configuration it reloads the file on SIGHUP.
 */
class ServeProcessTest {
    @TempDir
    Path home;

    @Test
    void serveAnswersThenShutsDownGracefullyOnSigterm() throws Exception {
        Path log = home.resolve("stderr.log");
        Process serve = start(log, "--port", "0", "--ctx", "128", "--threads", "1");
        try {
            URI base = awaitServing(log);
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":8,"
                                        + "\"temperature\":0}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("\"text\":\", there was a little girl\"");
            }

            serve.destroy(); // SIGTERM
            assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(serve.exitValue()).isZero();
            assertThat(Files.readAllLines(log)).contains("stopped");
        } finally {
            serve.destroyForcibly();
        }
    }

    @Test
    void aRoutingServeReloadsItsFileOnSighup() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.builder().models("up-a", "up-b").start()) {
            Path config = home.resolve("junction.yaml");
            String routes = """
                    server: {port: 0}
                    suppliers:
                      up: {kind: openai, url: %s}
                    models:
                      %s: {deployments: [{supplier: up, model: up-a}]}
                    """;
            Files.writeString(config, routes.formatted(upstream.openAiBaseUri(), "first"));
            FileTime written = Files.getLastModifiedTime(config);
            Path log = home.resolve("stderr.log");
            Process serve = start(log, "--config", config.toString());
            try {
                URI base = awaitServing(log);
                assertThat(get(base, "/v1/models")).contains("\"first\"");

                // same size, same modification time: only the signal can tell the router to read it again
                Files.writeString(config, routes.formatted(upstream.openAiBaseUri(), "other"));
                Files.setLastModifiedTime(config, written);
                new ProcessBuilder("kill", "-HUP", Long.toString(serve.pid())).start().waitFor();
                String models = get(base, "/v1/models");
                for (long deadline = System.nanoTime() + 30_000_000_000L;
                     !models.contains("\"other\"") && System.nanoTime() < deadline; Thread.sleep(50)) {
                    models = get(base, "/v1/models");
                }
                assertThat(models).contains("\"other\"").doesNotContain("\"first\"");
                assertThat(serve.isAlive()).isTrue();
            } finally {
                serve.destroy();
                assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
                serve.destroyForcibly();
            }
        }
    }

    private Process start(Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
        command.addAll(List.of(args));
        // stderr to a file, not a pipe: a pipe's rest is lost when the process exits
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile());
        builder.environment().put("JUNCTION_HOME", home.toString()); // the embedded model is extracted there
        return builder.start();
    }

    private static URI awaitServing(Path log) throws Exception {
        Pattern serving = Pattern.compile("serving .* on (http://\\S+)");
        for (long deadline = System.nanoTime() + 60_000_000_000L; ; Thread.sleep(50)) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher m = serving.matcher(text);
            if (m.find()) return URI.create(m.group(1));
            assertThat(System.nanoTime()).as("the 'serving … on URL' line in %s", text).isLessThan(deadline);
        }
    }

    private static String get(URI base, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(base.resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
