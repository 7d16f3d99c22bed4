package dev.junction.server;

import dev.junction.inference.Prompt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static dev.junction.server.ChatCompletionsTest.withoutId;
import static org.assertj.core.api.Assertions.assertThat;

class CompletionsTest {
    static final long NOW = 1_750_000_000L;

    final ScriptedService service = new ScriptedService().replying(" upon", " a", " time");
    final OpenAiServer server = OpenAiServer.builder(service)
            .config(ServerConfig.defaults().withPort(0))
            .clock(InstantSource.fixed(Instant.ofEpochSecond(NOW)))
            .start();
    final Http http = new Http(server.baseUri());

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    @Test
    void aTextCompletionAnswersInTheLegacyShape() {
        var reply = http.post("/v1/completions", "{\"model\": \"scripted-model\", \"prompt\": \"Once\"}");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(withoutId(reply.json(), "cmpl-")).isEqualTo(Http.json("""
                {"id": "ID", "object": "text_completion", "created": %d, "model": "scripted-model",
                 "system_fingerprint": "fp_junction",
                 "choices": [{"index": 0, "text": " upon a time", "logprobs": null, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4,
                   "prompt_tokens_details": {"cached_tokens": 0}}}""".formatted(NOW)));
        assertThat(service.requests().getFirst().prompt()).isEqualTo(Prompt.text("Once"));
        assertThat(service.requests().getFirst().maxTokens()).as("the legacy default").isEqualTo(16);
    }

    @Test
    void echoPrependsThePrompt() {
        var reply = http.post("/v1/completions",
                "{\"model\": \"scripted-model\", \"prompt\": \"Once\", \"echo\": true}");

        assertThat(reply.json().at("/choices/0/text").asText()).isEqualTo("Once upon a time");
    }

    @Test
    void logprobsTakeTheLegacyShapeWithTextOffsets() {
        var reply = http.post("/v1/completions",
                "{\"model\": \"scripted-model\", \"prompt\": \"Once\", \"logprobs\": 1, \"max_tokens\": 2}");

        assertThat(service.requests().getFirst().topLogprobs()).isEqualTo(1);
        assertThat(reply.json().at("/choices/0/logprobs")).isEqualTo(Http.json("""
                {"tokens": [" upon", " a"], "token_logprobs": [-0.5, -0.5],
                 "top_logprobs": [{" upon": -0.5}, {" a": -0.5}], "text_offset": [0, 5]}"""));
    }

    @Test
    void echoWithLogprobsScoresThePromptTokensTooTheFirstWithNull() {
        var reply = http.post("/v1/completions", """
                {"model": "scripted-model", "prompt": "Once upon", "echo": true, "logprobs": 0, "max_tokens": 1}""");

        assertThat(service.requests().getFirst().promptLogprobs()).isTrue();
        assertThat(reply.json().at("/choices/0/text").asText()).isEqualTo("Once upon upon");
        assertThat(reply.json().at("/choices/0/logprobs")).isEqualTo(Http.json("""
                {"tokens": ["Once", " upon", " upon"], "token_logprobs": [null, -0.5, -0.5],
                 "top_logprobs": [null, {" upon": -0.5}, {" upon": -0.5}], "text_offset": [0, 4, 9]}"""));
    }

    @Test
    void aStreamWithEchoAndLogprobsSendsThePromptWithItsScoresFirst() {
        var events = http.post("/v1/completions", """
                {"model": "scripted-model", "prompt": "Once upon", "echo": true, "logprobs": 2, "max_tokens": 1,
                 "stream": true}""").events();

        assertThat(events).hasSize(4);
        assertThat(Http.json(events.get(0)).at("/choices/0")).isEqualTo(Http.json("""
                {"index": 0, "text": "Once upon", "finish_reason": null,
                 "logprobs": {"tokens": ["Once", " upon"], "token_logprobs": [null, -0.5],
                   "top_logprobs": [null, {" upon": -0.5, "alt1": -1.5}], "text_offset": [0, 4]}}"""));
        assertThat(Http.json(events.get(1)).at("/choices/0/logprobs/text_offset")).isEqualTo(Http.json("[9]"));
        assertThat(Http.json(events.get(2)).at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void aTokenIdPromptIsEchoedAsTheTextOfItsScoredTokens() {
        var reply = http.post("/v1/completions", """
                {"model": "scripted-model", "prompt": [5, 7], "echo": true, "logprobs": 0, "max_tokens": 1}""");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().at("/choices/0/text").asText()).isEqualTo("#5 #7 upon");
        assertThat(reply.json().at("/choices/0/logprobs/tokens")).isEqualTo(Http.json("[\"#5\", \" #7\", \" upon\"]"));
        assertThat(reply.json().at("/choices/0/logprobs/text_offset")).isEqualTo(Http.json("[0, 2, 5]"));

        List<String> events = http.post("/v1/completions", """
                {"model": "scripted-model", "prompt": [5, 7], "echo": true, "logprobs": 0, "max_tokens": 1,
                 "stream": true}""").events();
        assertThat(Http.json(events.get(0)).at("/choices/0/text").asText()).isEqualTo("#5 #7");
        assertThat(Http.json(events.get(1)).at("/choices/0/logprobs/text_offset")).isEqualTo(Http.json("[5]"));
    }

    @Test
    void aTokenIdPromptIsEchoedWithoutLogprobsAsTheTextOfItsTokens() {
        var reply = http.post("/v1/completions", """
                {"model": "scripted-model", "prompt": [5, 7], "echo": true, "max_tokens": 1}""");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().at("/choices/0/text").asText()).isEqualTo("#5 #7 upon");
        assertThat(reply.json().at("/choices/0/logprobs").isNull()).isTrue();

        List<String> events = http.post("/v1/completions", """
                {"model": "scripted-model", "prompt": [5, 7], "echo": true, "max_tokens": 1, "stream": true}""")
                .events();
        assertThat(Http.json(events.get(0)).at("/choices/0/text").asText()).isEqualTo("#5 #7");
        assertThat(Http.json(events.get(1)).at("/choices/0/text").asText()).isEqualTo(" upon");
        assertThat(service.requests()).noneMatch(r -> r.promptLogprobs());
    }

    @Test
    void echoOfTokenIdsForAnUnknownModelIsModelNotFound() {
        var reply = http.post("/v1/completions", """
                {"model": "no-such-model", "prompt": [5, 7], "echo": true}""");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().at("/error/code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void echoWithoutLogprobsDoesNotScoreThePrompt() {
        http.post("/v1/completions", "{\"model\": \"scripted-model\", \"prompt\": \"Once\", \"echo\": true}");
        http.post("/v1/completions", "{\"model\": \"scripted-model\", \"prompt\": \"Once\", \"logprobs\": 2}");

        assertThat(service.requests()).noneMatch(r -> r.promptLogprobs());
    }

    @Test
    void batchedPromptsGetNChoicesEachIndexedInOrder() {
        var reply = http.post("/v1/completions",
                "{\"model\": \"scripted-model\", \"prompt\": [\"one two\", [7, 8, 9]], \"n\": 2, \"seed\": 5}");

        assertThat(reply.json().get("choices")).extracting(c -> c.get("index").asInt()).containsExactly(0, 1, 2, 3);
        assertThat(service.requests()).extracting(r -> r.sampling().seed()).containsExactly(5L, 6L, 5L, 6L);
        assertThat(service.requests().get(2).prompt()).isInstanceOfSatisfying(Prompt.Tokens.class,
                tokens -> assertThat(tokens.ids()).containsExactly(7, 8, 9));
        assertThat(reply.json().at("/usage/prompt_tokens").asInt()).as("each prompt once").isEqualTo(2 + 3);
        assertThat(reply.json().at("/usage/completion_tokens").asInt()).isEqualTo(4 * 3);
    }

    @Test
    void aStreamSendsTextChunksThenTheFinishReasonThenDone() {
        var reply = http.post("/v1/completions", """
                {"model": "scripted-model", "prompt": "Once", "echo": true, "stream": true,
                 "stream_options": {"include_usage": true}}""");

        List<String> events = reply.events();
        assertThat(events).hasSize(7);
        var chunks = events.subList(0, 6).stream().map(Http::json).toList();
        assertThat(chunks).allSatisfy(c -> assertThat(c.get("object").asText()).isEqualTo("text_completion"));
        assertThat(chunks.subList(0, 5).stream().map(c -> c.at("/choices/0/text").asText()))
                .containsExactly("Once", " upon", " a", " time", "");
        assertThat(chunks.get(1)).isEqualTo(Http.json("""
                {"id": "%s", "object": "text_completion", "created": %d, "model": "scripted-model",
                 "system_fingerprint": "fp_junction",
                 "choices": [{"index": 0, "text": " upon", "logprobs": null, "finish_reason": null}]}"""
                .formatted(chunks.get(1).get("id").asText(), NOW)));
        assertThat(chunks.get(4).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(chunks.get(5).get("choices")).isEmpty();
        assertThat(chunks.get(5).at("/usage/total_tokens").asInt()).isEqualTo(4);
        assertThat(events.getLast()).isEqualTo("[DONE]");
    }

    @Test
    void streamedLogprobsCarryTheirOffsets() {
        var events = http.post("/v1/completions", """
                {"model": "scripted-model", "prompt": "Once", "stream": true, "logprobs": 0}""").events();

        assertThat(Http.json(events.get(1)).at("/choices/0/logprobs")).isEqualTo(Http.json("""
                {"tokens": [" a"], "token_logprobs": [-0.5], "top_logprobs": [{" a": -0.5}], "text_offset": [5]}"""));
    }
}
