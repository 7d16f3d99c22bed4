package dev.junction.cli;

import dev.junction.engine.runtime.EngineConfig;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A burst far beyond the queue: every request is answered at once or served, nothing hangs, nothing fails. */
class ServeOverloadTest {
    @Test
    void twoHundredSimultaneousRequestsGetOnlyOksAndRateLimitsAndTheServerStaysHealthy() throws Exception {
        var model = new Serving.NamedModel("stories260K", TestModels.stories260K());
        EngineConfig engine = EngineConfig.defaults().withContextLength(256).withMaxRunning(4).withMaxQueue(32);
        try (Serving serving = Serving.start(List.of(model), engine, ServerConfig.defaults().withPort(0), 2, false,
                new PrintWriter(new StringWriter()));
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            URI base = serving.baseUri();
            String body = "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":64,"
                    + "\"logit_bias\":{\"2\":-100}}";
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                responses.add(http.sendAsync(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);

            Map<Integer, Long> byStatus = responses.stream().map(CompletableFuture::join)
                    .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
            assertThat(byStatus.keySet()).isSubsetOf(200, 429);
            assertThat(byStatus.get(429)).as("statuses %s", byStatus).isPositive();
            assertThat(byStatus.get(200)).as("statuses %s", byStatus).isGreaterThanOrEqualTo(36);
            responses.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 429).forEach(r -> {
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                assertThat(r.body()).contains("\"error\"");
            });

            Function<String, Integer> get = path -> http.sendAsync(HttpRequest.newBuilder(base.resolve(path)).build(),
                    HttpResponse.BodyHandlers.discarding()).join().statusCode();
            assertThat(get.apply("/health")).isEqualTo(200);
            assertThat(get.apply("/ready")).isEqualTo(200);
            HttpResponse<String> after = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(after.statusCode()).isEqualTo(200);
        }
    }
}
