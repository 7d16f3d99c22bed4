package dev.junction.server;

import dev.junction.inference.Generation;
import dev.junction.inference.GenerationListener;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceException.Kind;
import dev.junction.inference.InferenceService;
import dev.junction.inference.ModelInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorsTest {
    static final String CHAT = """
            {"model": "scripted-model", "messages": [{"role": "user", "content": "Hi"}]}""";

    final ScriptedService service = new ScriptedService();
    OpenAiServer server = OpenAiServer.start(ServerConfig.defaults().withPort(0), service);
    Http http = new Http(server.baseUri());

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    static void assertError(Http.Reply reply, int status, String type, String param, String code) {
        assertThat(reply.status()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        var error = reply.json().get("error");
        assertThat(reply.json().size()).as("only the error").isEqualTo(1);
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(param);
        assertThat(error.get("code").isNull() ? null : error.get("code").asText()).isEqualTo(code);
    }

    void restartWith(InferenceService other, ServerConfig config) {
        http.close();
        server.close();
        server = OpenAiServer.start(config, other);
        http = new Http(server.baseUri());
    }

    Http.Reply chatRefusedWith(InferenceException e) {
        service.refusing(e);
        return http.post("/v1/chat/completions", CHAT);
    }

    @Test
    void malformedJsonIsABadRequest() {
        assertError(http.post("/v1/chat/completions", "{\"model\": "), 400, "invalid_request_error", null, null);
    }

    @Test
    void aFieldOfTheWrongTypeIsABadRequestNamingIt() {
        assertError(http.post("/v1/chat/completions", """
                {"model": "scripted-model", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": "ten"}"""),
                400, "invalid_request_error", "max_tokens", null);
    }

    @Test
    void aMissingRequiredFieldIsABadRequestNamingIt() {
        assertError(http.post("/v1/chat/completions", "{\"model\": \"scripted-model\"}"),
                400, "invalid_request_error", "messages", null);
    }

    @Test
    void anOutOfRangeSamplingValueIsABadRequestNamingIt() {
        assertError(http.post("/v1/chat/completions", """
                {"model": "scripted-model", "messages": [{"role": "user", "content": "Hi"}], "temperature": 3}"""),
                400, "invalid_request_error", "temperature", null);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tools               | [{"type": "function", "function": {"name": "f"}}]
            tool_choice         | "auto"
            parallel_tool_calls | true
            functions           | [{"name": "f"}]
            function_call       | "auto"
            audio               | {"voice": "alloy", "format": "wav"}
            modalities          | ["text", "audio"]
            prediction          | {"type": "content", "content": "x"}
            verbosity           | "high"
            web_search_options  | {}
            response_format     | {"type": "json_object"}
            response_format     | {"type": "json_schema", "json_schema": {"name": "s", "schema": {}}}
            """)
    void aChatFieldNoModelCanHonourIsABadRequestNamingIt(String field, String value) {
        var reply = http.post("/v1/chat/completions", CHAT.replace("}]}", "}], \"" + field + "\": " + value + "}"));

        assertError(reply, 400, "invalid_request_error", field, null);
        assertThat(reply.json().at("/error/message").asText()).startsWith("'" + field + "'")
                .contains("not supported by model 'scripted-model'");
        assertThat(service.requests()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            suffix  | "The end."
            best_of | 3
            """)
    void aLegacyFieldNoModelCanHonourIsABadRequestNamingIt(String field, String value) {
        var reply = http.post("/v1/completions", """
                {"model": "scripted-model", "prompt": "Once", "%s": %s}""".formatted(field, value));

        assertError(reply, 400, "invalid_request_error", field, null);
        assertThat(reply.json().at("/error/message").asText()).contains("not supported by model 'scripted-model'");
        assertThat(service.requests()).isEmpty();
    }

    @Test
    void fieldsThatChangeNothingOrAreNullAreServed() {
        var reply = http.post("/v1/chat/completions", CHAT.replace("}]}", """
                }], "user": "u", "metadata": {"k": "v"}, "store": false, "service_tier": "auto",
                "response_format": {"type": "text"}, "tools": null, "tool_choice": null}"""));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(service.requests()).hasSize(1);
    }

    @Test
    void anUnknownModelIsNotFound() {
        assertError(http.post("/v1/chat/completions", """
                {"model": "gpt-17", "messages": [{"role": "user", "content": "Hi"}]}"""),
                404, "invalid_request_error", "model", "model_not_found");
    }

    @Test
    void eachServiceFailureHasItsStatus() {
        assertError(chatRefusedWith(new InferenceException(Kind.INVALID_REQUEST, "stop", "bad stop")),
                400, "invalid_request_error", "stop", null);
        assertError(chatRefusedWith(new InferenceException(Kind.CONTEXT_LENGTH_EXCEEDED, "messages", "too long")),
                400, "invalid_request_error", "messages", "context_length_exceeded");
        assertError(chatRefusedWith(new InferenceException(Kind.QUEUE_TIMEOUT, null, "waited too long")),
                503, "server_error", null, "queue_timeout");
        assertError(chatRefusedWith(new InferenceException(Kind.UNAVAILABLE, null, "not loaded")),
                503, "server_error", null, "service_unavailable");
    }

    @Test
    void anOverloadedServiceAsksTheClientToRetryLater() {
        var reply = chatRefusedWith(new InferenceException(Kind.OVERLOADED, null, "queue full", 7, null));

        assertError(reply, 429, "rate_limit_error", null, "server_overloaded");
        assertThat(reply.header("Retry-After")).isEqualTo("7");
    }

    @Test
    void anInternalFailureShowsNoDetails() {
        var reply = chatRefusedWith(new InferenceException(Kind.INTERNAL, null,
                "NullPointerException in Sampler.java:42", 0, new NullPointerException()));

        assertError(reply, 500, "server_error", null, null);
        assertThat(reply.body()).doesNotContain("Sampler").doesNotContain("NullPointer").doesNotContain("at dev.");
    }

    @Test
    void anUnexpectedExceptionIsAGenericServerError() {
        restartWith(new InferenceService() {
            @Override
            public List<ModelInfo> models() {
                return new ScriptedService().models();
            }

            @Override
            public Generation generate(GenerationRequest request, GenerationListener listener) {
                throw new IllegalStateException("secret internals");
            }

            @Override
            public boolean ready() {
                return true;
            }

            @Override
            public void shutdown(long graceMillis) {
            }
        }, ServerConfig.defaults().withPort(0));

        var reply = http.post("/v1/chat/completions", CHAT);

        assertError(reply, 500, "server_error", null, null);
        assertThat(reply.body()).doesNotContain("secret");
    }

    @Test
    void aFailureBeforeTheFirstTokenOfAStreamStillGetsItsStatus() {
        service.failingAfter(0, new InferenceException(Kind.QUEUE_TIMEOUT, null, "waited too long"));

        assertError(http.post("/v1/chat/completions", CHAT.replace("}]}", "}], \"stream\": true}")),
                503, "server_error", null, "queue_timeout");
    }

    @Test
    void aFailureMidStreamEndsItWithAnErrorEvent() {
        service.replying("a", "b", "c").failingAfter(2, new InferenceException(Kind.INTERNAL, null, "boom"));

        var reply = http.post("/v1/chat/completions", CHAT.replace("}]}", "}], \"stream\": true}"));

        assertThat(reply.status()).isEqualTo(200);
        var events = reply.events();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        var error = Http.json(events.get(events.size() - 2));
        assertThat(error.at("/error/type").asText()).isEqualTo("server_error");
        assertThat(error.at("/error/message").asText()).doesNotContain("boom");
    }

    @Test
    void anUnknownRouteIsNotFoundInTheSameShape() {
        var reply = http.post("/v1/embeddings", "{}");

        assertError(reply, 404, "invalid_request_error", null, "unknown_url");
        assertThat(reply.json().at("/error/message").asText()).isEqualTo("Invalid URL (POST /v1/embeddings)");
    }

    @Test
    void aWrongMethodIsNotAllowed() {
        var reply = http.get("/v1/chat/completions");

        assertError(reply, 405, "invalid_request_error", null, "method_not_allowed");
        assertThat(reply.header("Allow")).isEqualTo("POST");
    }

    @Test
    void aBodyOverTheLimitIsTooLarge() {
        restartWith(new ScriptedService(), ServerConfig.defaults().withPort(0).withMaxRequestBytes(100));

        var reply = http.post("/v1/chat/completions", CHAT.replace("Hi", "Hi ".repeat(50)));

        assertError(reply, 413, "invalid_request_error", null, "request_too_large");
        assertThat(http.post("/v1/chat/completions", CHAT).status()).isEqualTo(200);
    }
}
