package dev.junction.server;

import dev.junction.inference.Usage;
import dev.junction.openai.ApiError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.junction.server.ErrorsTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

class InterceptorTest {
    final List<String> seen = new CopyOnWriteArrayList<>();
    final List<ApiOutcome> outcomes = new CopyOnWriteArrayList<>();

    /** Lets through only requests with the right bearer token, and tells later interceptors who called. */
    final RequestInterceptor auth = new RequestInterceptor() {
        @Override
        public void onRequest(ApiCall call) {
            seen.add("auth " + call.method() + " " + call.route());
            if (!"Bearer sesame".equals(call.header("authorization"))) {
                throw new ApiException(401, new ApiError("Incorrect API key provided.", "invalid_request_error",
                        null, "invalid_api_key"));
            }
            call.attributes().put("tenant", "acme");
        }

        @Override
        public void onResponse(ApiCall call, ApiOutcome outcome) {
            seen.add("auth done");
        }
    };

    final List<Boolean> virtual = new CopyOnWriteArrayList<>();

    final RequestInterceptor meter = new RequestInterceptor() {
        @Override
        public void onRequest(ApiCall call) {
            seen.add("meter for " + call.attributes().get("tenant"));
            virtual.add(Thread.currentThread().isVirtual());
        }

        @Override
        public void onBody(ApiCall call) {
            RequestShape shape = call.shape();
            seen.add("admit " + shape.model() + " max " + shape.maxTokens() + " n " + shape.choices());
            if (shape.maxTokens().orElse(0) > 1000) {
                throw new ApiException(429, new ApiError("Too many tokens asked.", ApiError.RATE_LIMIT, null,
                        "rate_limit_exceeded"), 7);
            }
            call.setResponseHeader("x-ratelimit-remaining-requests", "41");
        }

        @Override
        public void onResponse(ApiCall call, ApiOutcome outcome) {
            seen.add("meter done");
            outcomes.add(outcome.untimed());
        }
    };

    final ScriptedService service = new ScriptedService().replying("a", "b", "c");
    final OpenAiServer server = OpenAiServer.builder(service).config(ServerConfig.defaults().withPort(0))
            .interceptor(auth).interceptor(meter).start();
    final Http http = new Http(server.baseUri());

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    @Test
    void interceptorsRunInOrderAndSeeHowTheRequestEnded() {
        var reply = http.post("/v1/chat/completions?key=x", ErrorsTest.CHAT.replace("{", "{\"n\": 2, "),
                "Authorization", "Bearer sesame");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("x-ratelimit-remaining-requests")).isEqualTo("41");
        assertThat(seen).containsExactly("auth POST /v1/chat/completions", "meter for acme",
                "admit scripted-model max OptionalInt.empty n 2", "meter done", "auth done");
        assertThat(outcomes).containsExactly(new ApiOutcome(200, "scripted-model", new Usage(1, 6, 0)));
    }

    @Test
    void aRefusingInterceptorAnswersWithItsErrorAndTheRestStillSeeTheOutcome() {
        var reply = http.post("/v1/chat/completions", ErrorsTest.CHAT);

        assertError(reply, 401, "invalid_request_error", null, "invalid_api_key");
        assertThat(service.requests()).isEmpty();
        assertThat(seen).containsExactly("auth POST /v1/chat/completions", "meter done", "auth done");
        assertThat(outcomes).containsExactly(new ApiOutcome(401, null, null));
    }

    @Test
    void anInterceptorRefusesOnceTheBodyIsReadBeforeAnythingIsGenerated() {
        var reply = http.post("/v1/chat/completions", ErrorsTest.CHAT.replace("{", "{\"max_tokens\": 5000, "),
                "Authorization", "Bearer sesame");

        assertError(reply, 429, "rate_limit_error", null, "rate_limit_exceeded");
        assertThat(reply.header("retry-after")).isEqualTo("7");
        assertThat(service.requests()).isEmpty();
        assertThat(outcomes).containsExactly(new ApiOutcome(429, "scripted-model", null));
    }

    @Test
    void eachRequestIsServedOnAVirtualThread() {
        http.get("/v1/models", "Authorization", "Bearer sesame");
        http.get("/v1/models", "Authorization", "Bearer sesame");

        assertThat(virtual).containsExactly(true, true);
    }

    @Test
    void anInterceptorNarrowsTheModelsACallerIsShown() {
        RequestInterceptor onlyOthers = new RequestInterceptor() {
            @Override
            public void onRequest(ApiCall call) {
                call.restrictModels(model -> !model.equals("scripted-model"));
            }
        };
        try (OpenAiServer narrowed = OpenAiServer.builder(service).config(ServerConfig.defaults().withPort(0))
                .interceptor(onlyOthers).start(); Http client = new Http(narrowed.baseUri())) {
            assertThat(http.get("/v1/models", "Authorization", "Bearer sesame").json().path("data"))
                    .as("unrestricted").hasSize(1);
            var list = client.get("/v1/models");
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.json().path("data")).isEmpty();
            assertError(client.get("/v1/models/scripted-model"), 404, "invalid_request_error", "model",
                    "model_not_found");
        }
    }

    @Test
    void healthAndMetricsBypassInterceptors() {
        assertThat(http.get("/health").status()).isEqualTo(200);
        assertThat(http.get("/metrics").status()).isEqualTo(200);
        assertThat(seen).isEmpty();
    }
}
