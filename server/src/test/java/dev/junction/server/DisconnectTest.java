package dev.junction.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A client that leaves stops its generation, streaming or not; one that stays keeps its connection. */
class DisconnectTest {
    final ScriptedService service = new ScriptedService().endlessly().stepping(Duration.ofMillis(10));
    final OpenAiServer server = OpenAiServer.start(ServerConfig.defaults().withPort(0), service);

    final Http http = new Http(server.baseUri());

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    @Test
    void aClientThatLeavesMidStreamHasItsGenerationCancelled() throws Exception {
        String body = """
                {"model": "scripted-model", "stream": true, "messages": [{"role": "user", "content": "Go on"}]}""";
        try (var connection = new RawConnection(server.port())) {
            connection.send("POST", "/v1/chat/completions", body);
            assertThat(connection.readLine()).isEqualTo("HTTP/1.1 200 OK");
            int ticks = 0;
            while (ticks < 3) {
                if (connection.readLine().contains("tick")) ticks++;
            }
            assertThat(service.cancellations()).isZero();
        }

        Eventually.within(Duration.ofSeconds(2), "the generation is cancelled",
                () -> service.cancellations() == 1 && service.running() == 0);
        Eventually.within(Duration.ofSeconds(2), "the disconnect is counted",
                () -> http.get("/metrics").body().contains("junction_client_disconnects_total 1.0"));
    }

    @Test
    void aClientThatLeavesBeforeANonStreamingAnswerHasItsGenerationsCancelled() throws Exception {
        for (String body : new String[]{
                "{\"model\": \"scripted-model\", \"prompt\": \"Once\", \"max_tokens\": 100000, \"n\": 2}",
                "{\"model\": \"scripted-model\", \"messages\": [{\"role\": \"user\", \"content\": \"Go on\"}]}"}) {
            String path = body.contains("messages") ? "/v1/chat/completions" : "/v1/completions";
            int before = service.cancellations();
            try (var connection = new RawConnection(server.port())) {
                connection.send("POST", path, body);
                Eventually.within(Duration.ofSeconds(2), "it generates", () -> service.running() > 0);
                Thread.sleep(50);
                assertThat(service.cancellations()).isEqualTo(before);
            }
            Eventually.within(Duration.ofSeconds(2), "the generations are cancelled",
                    () -> service.cancellations() > before && service.running() == 0);
        }
        assertThat(service.cancellations()).isEqualTo(3);
        Eventually.within(Duration.ofSeconds(2), "the disconnects are counted",
                () -> http.get("/metrics").body().contains("junction_client_disconnects_total 2.0"));
    }

    @Test
    void aStreamingClientThatLeavesBeforeItsFirstTokenHasItsGenerationCancelled() throws Exception {
        service.stepping(Duration.ofSeconds(60)); // queued, or a long prompt: nothing to write for a minute
        String body = """
                {"model": "scripted-model", "stream": true, "messages": [{"role": "user", "content": "Go on"}]}""";
        try (var connection = new RawConnection(server.port())) {
            connection.send("POST", "/v1/chat/completions", body);
            Eventually.within(Duration.ofSeconds(2), "it generates", () -> service.running() == 1);
        }
        Eventually.within(Duration.ofSeconds(2), "the generation is cancelled",
                () -> service.cancellations() == 1 && service.running() == 0);
        Eventually.within(Duration.ofSeconds(2), "the disconnect is counted",
                () -> http.get("/metrics").body().contains("junction_client_disconnects_total 1.0"));
    }

    @Test
    void aClientThatHangsUpWhileSendingItsRequestIsCountedNotAnError() throws Exception {
        try (var connection = new RawConnection(server.port())) {
            connection.sendPart("POST", "/v1/chat/completions", 1000, "{\"model\": \"scripted-model\", \"mess");
        }
        Eventually.within(Duration.ofSeconds(2), "the request is counted as the client's hang-up, not a 500", () -> {
            String metrics = http.get("/metrics").body();
            return metrics.contains("route=\"/v1/chat/completions\",status=\"499\"} 1")
                    && metrics.contains("junction_client_disconnects_total 1.0") && !metrics.contains("status=\"500\"");
        });
        assertThat(service.cancellations()).isZero();
        assertThat(service.running()).isZero();
    }

    @Test
    void aClientThatWaitsGetsItsAnswersOnOneConnectionOneAfterAnother() throws Exception {
        try (var connection = new RawConnection(server.port())) {
            for (int i = 0; i < 3; i++) {
                connection.send("POST", "/v1/completions",
                        "{\"model\": \"scripted-model\", \"prompt\": \"Once\", \"max_tokens\": 5}");
                assertThat(connection.readStatusAndSkipBody()).isEqualTo(200);
            }
        }
        assertThat(service.cancellations()).isZero();
    }
}
