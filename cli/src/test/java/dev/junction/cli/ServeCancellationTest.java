package dev.junction.cli;

import dev.junction.engine.runtime.EngineConfig;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.SharedModels;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that goes away mid-stream stops its generation, and the metrics show it. */
class ServeCancellationTest {
    @Test
    void aClientThatDisconnectsMidStreamIsCancelledAndItsSequenceLeaves() throws Exception {
        var model = new Serving.NamedModel("stories260K", SharedModels.stories260K());
        try (Serving serving = Serving.start(List.of(model), EngineConfig.defaults().withContextLength(2048),
                ServerConfig.defaults().withPort(0), 2, false, new PrintWriter(new StringWriter()));
             HttpClient http = HttpClient.newHttpClient()) {
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

            long deadline = System.nanoTime() + 10_000_000_000L;
            String metrics;
            do {
                Thread.sleep(50);
                metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } while ((value(metrics, "junction_cancellations_total") < 1
                    || value(metrics, "junction_sequences_running") > 0) && System.nanoTime() < deadline);
            assertThat(value(metrics, "junction_cancellations_total")).isEqualTo(1);
            assertThat(value(metrics, "junction_sequences_running")).isZero();
            assertThat(value(metrics, "junction_client_disconnects_total")).isEqualTo(1);
            assertThat(value(metrics, "junction_generation_tokens_total\\{[^}]*}")).isLessThan(2000);
        }
    }

    /** A sample's value in Prometheus text; -1 when absent. */
    static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
