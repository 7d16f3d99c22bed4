package dev.junction.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code junction serve} as a process: it starts with the embedded model, serves, and exits 0 on SIGTERM. */
class ServeProcessTest {
    @Test
    void serveAnswersThenShutsDownGracefullyOnSigterm(@TempDir Path home) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--port", "0", "--ctx", "128", "--threads", "1"));
        Path log = home.resolve("stderr.log"); // a file, not a pipe: a pipe's rest is lost when the process exits
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile());
        builder.environment().put("JUNCTION_HOME", home.toString()); // the embedded model is extracted there
        Process serve = builder.start();
        try {
            URI base = null;
            Pattern serving = Pattern.compile("serving .* on (http://\\S+)");
            for (long deadline = System.nanoTime() + 60_000_000_000L; base == null; Thread.sleep(50)) {
                Matcher m = serving.matcher(Files.readString(log));
                if (m.find()) base = URI.create(m.group(1));
                else assertThat(System.nanoTime()).as("the 'serving … on URL' line in %s", Files.readString(log))
                        .isLessThan(deadline);
            }

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
}
