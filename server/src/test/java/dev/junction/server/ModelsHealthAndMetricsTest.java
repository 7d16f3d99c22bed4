package dev.junction.server;

import dev.junction.inference.ServiceStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.junction.server.ErrorsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

class ModelsHealthAndMetricsTest {
    final ScriptedService service = new ScriptedService("small", "org/large-model");
    final OpenAiServer server = OpenAiServer.start(ServerConfig.defaults().withPort(0), service);
    final Http http = new Http(server.baseUri());

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    @Test
    void modelsListsWhatTheServiceServes() {
        var reply = http.get("/v1/models");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json()).isEqualTo(Http.json("""
                {"object": "list", "data": [
                  {"id": "small", "object": "model", "created": 1700000000, "owned_by": "junction"},
                  {"id": "org/large-model", "object": "model", "created": 1700000000, "owned_by": "junction"}]}"""));
    }

    @Test
    void oneModelIsFoundByItsIdEvenWithASlash() {
        assertThat(http.get("/v1/models/small").json().get("id").asText()).isEqualTo("small");
        assertThat(http.get("/v1/models/org/large-model").json()).isEqualTo(Http.json("""
                {"id": "org/large-model", "object": "model", "created": 1700000000, "owned_by": "junction"}"""));
    }

    @Test
    void anUnknownModelIsNotFound() {
        var reply = http.get("/v1/models/gpt-17");

        assertError(reply, 404, "invalid_request_error", "model", "model_not_found");
        assertThat(reply.json().at("/error/message").asText()).contains("gpt-17");
    }

    @Test
    void healthIsOkWhileTheProcessLives() {
        service.ready(false);

        assertThat(http.get("/health").status()).isEqualTo(200);
    }

    @Test
    void readinessFollowsTheService() {
        assertThat(http.get("/ready").status()).isEqualTo(200);

        service.ready(false);

        assertThat(http.get("/ready").status()).isEqualTo(503);
    }

    @Test
    void metricsShowRequestsTokensLatenciesAndTheServingCore() {
        service.reporting(new ServiceStats(3, 2, 40, 100, 7, 30, 500, 120, 4, 6)).stepping(Duration.ofMillis(5));
        http.post("/v1/chat/completions", ErrorsTest.CHAT.replace("scripted-model", "small"));
        http.get("/v1/nope");

        var reply = http.get("/metrics");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("text/plain");
        String text = reply.body();
        assertThat(text).contains(
                "junction_http_requests_seconds_count{method=\"POST\",route=\"/v1/chat/completions\",status=\"200\"} 1",
                "junction_http_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
                "junction_queue_depth 3.0",
                "junction_sequences_running 2.0",
                "junction_kv_blocks_used 40.0",
                "junction_kv_blocks_free 60.0",
                "junction_kv_window_blocks_used 7.0",
                "junction_kv_window_blocks_free 23.0",
                "junction_prefix_cache_query_tokens_total 500.0",
                "junction_prefix_cache_hit_tokens_total 120.0",
                "junction_preemptions_total 4.0",
                "junction_cancellations_total 6.0",
                "junction_prompt_tokens_total{model=\"small\"} 1.0",
                "junction_generation_tokens_total{model=\"small\"} 2.0",
                "junction_time_to_first_token_seconds_count{model=\"small\"} 1",
                "junction_time_to_first_token_seconds_bucket{model=\"small\",le=",
                "junction_inter_token_latency_seconds_count{model=\"small\"} 1",
                "junction_generation_speed_tokens_per_second_count{model=\"small\"} 1",
                "junction_client_disconnects_total 0.0");
    }
}
