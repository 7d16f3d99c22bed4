package dev.junction.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class StreamingDisconnectTest {
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
}
