package dev.junction.cli;

import dev.junction.engine.runtime.EngineConfig;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that goes away, mid-stream or while waiting for a whole answer, stops its generation; metrics show it. */
class ServeCancellationTest {
    @Test
    void aClientThatDisconnectsMidStreamIsCancelledAndItsSequenceLeaves() throws Exception {
        try (Serving serving = serve(); HttpClient http = HttpClient.newHttpClient()) {
            URI base = serving.baseUri();
            // about 2,000 tokens with the end-of-text token banned: seconds of work, unless it is cancelled
            String body = "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":2000,"
                    + "\"stream\":true,\"logit_bias\":{\"2\":-100}}";
            HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
            assertThat(lines.readLine()).startsWith("data: {");
            stream.body().close(); // the client goes away

            String metrics = awaitMetrics(http, base, m -> value(m, "junction_cancellations_total") >= 1
                    && value(m, "junction_sequences_running") == 0);
            assertThat(value(metrics, "junction_cancellations_total")).isEqualTo(1);
            assertThat(value(metrics, "junction_sequences_running")).isZero();
            assertThat(value(metrics, "junction_client_disconnects_total")).isEqualTo(1);
            assertThat(value(metrics, "junction_generation_tokens_total\\{[^}]*}")).isLessThan(2000);
        }
    }

    @Test
    void aClientThatDisconnectsBeforeAWholeAnswerIsCancelledAndItsSequenceLeaves() throws Exception {
        try (Serving serving = serve(); HttpClient http = HttpClient.newHttpClient()) {
            URI base = serving.baseUri();
            byte[] body = ("{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":2000,"
                    + "\"n\":8,\"logit_bias\":{\"2\":-100}}").getBytes(StandardCharsets.UTF_8); // seconds of work
            try (Socket client = new Socket(base.getHost(), base.getPort())) {
                client.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().write(body);
                awaitMetrics(http, base, m -> value(m, "junction_sequences_running") > 0);
            } // the client goes away without its answer

            String metrics = awaitMetrics(http, base, m -> value(m, "junction_cancellations_total") >= 8
                    && value(m, "junction_sequences_running") == 0);
            assertThat(value(metrics, "junction_cancellations_total")).isEqualTo(8);
            assertThat(value(metrics, "junction_client_disconnects_total")).isEqualTo(1);
            assertThat(value(metrics, "junction_generation_tokens_total\\{[^}]*}")).isLessThan(8 * 2000);
        }
    }

    static Serving serve() {
        var model = new Serving.NamedModel("stories260K", TestModels.stories260K());
        return Serving.start(List.of(model), EngineConfig.defaults().withContextLength(2048),
                ServerConfig.defaults().withPort(0), 2, false, new PrintWriter(new StringWriter()));
    }

    /** The metrics once {@code condition} holds (or after 10 s). */
    static String awaitMetrics(HttpClient http, URI base, java.util.function.Predicate<String> condition)
            throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String metrics;
        do {
            Thread.sleep(20);
            metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } while (!condition.test(metrics) && System.nanoTime() < deadline);
        return metrics;
    }

    /** A sample's value in Prometheus text; -1 when absent. */
    static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
