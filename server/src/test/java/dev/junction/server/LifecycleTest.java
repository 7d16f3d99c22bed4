package dev.junction.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LifecycleTest {
    static final String STREAM = """
            {"model": "scripted-model", "stream": true, "messages": [{"role": "user", "content": "Hi"}]}""";

    final ScriptedService service = new ScriptedService().replying("a", "b", "c", "d", "e")
            .stepping(Duration.ofMillis(40));
    final OpenAiServer server = OpenAiServer.start(ServerConfig.defaults().withPort(0), service);
    final Http http = new Http(server.baseUri());

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    @Test
    void portZeroBindsAFreePortAndReportsIt() {
        assertThat(server.port()).isPositive();
        assertThat(server.baseUri().toString()).isEqualTo("http://127.0.0.1:" + server.port());
    }

    @Test
    void stoppingLetsARunningStreamFinishWithinTheGrace() throws Exception {
        var running = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions", STREAM));
        Eventually.within(Duration.ofSeconds(5), "the generation starts", () -> service.running() == 1);

        server.stop(5_000);

        var reply = running.get();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.events()).endsWith("[DONE]").hasSize(1 + 5 + 1 + 1);
        assertThat(service.shutdownGrace()).isEqualTo(5_000);
    }

    @Test
    void aStreamStillRunningWhenTheGraceEndsGetsAnErrorEvent() throws Exception {
        var running = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions", STREAM));
        Eventually.within(Duration.ofSeconds(5), "the generation starts", () -> service.running() == 1);

        server.stop(50);

        var events = running.get().events();
        assertThat(Http.json(events.get(events.size() - 2)).at("/error/code").asText())
                .isEqualTo("service_unavailable");
    }

    @Test
    void afterStoppingNoConnectionIsAccepted() {
        int port = server.port();

        server.stop(0);

        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> http.get("/health")).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void whileStoppingReadinessAndNewRequestsAreRefused() throws Exception {
        try (var open = new RawConnection(server.port())) {
            open.send("GET", "/health", null);
            assertThat(open.readStatusAndSkipBody()).isEqualTo(200);
            var running = CompletableFuture.supplyAsync(() -> http.post("/v1/chat/completions", STREAM));
            Eventually.within(Duration.ofSeconds(5), "the generation starts", () -> service.running() == 1);

            var stopping = CompletableFuture.runAsync(() -> server.stop(5_000));
            Eventually.within(Duration.ofSeconds(5), "the service is asked to shut down",
                    () -> service.shutdownGrace() >= 0);

            open.send("GET", "/ready", null);
            assertThat(open.readStatusAndSkipBody()).isEqualTo(503);
            open.send("GET", "/v1/models", null);
            assertThat(open.readStatusAndSkipBody()).isEqualTo(503);
            assertThat(running.get().status()).isEqualTo(200);
            stopping.get();
        }
    }
}
