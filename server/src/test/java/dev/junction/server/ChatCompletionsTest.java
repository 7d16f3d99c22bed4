package dev.junction.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.Prompt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChatCompletionsTest {
    static final long NOW = 1_750_000_000L;

    final ScriptedService service = new ScriptedService().replying("Hello", " world");
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

    static String chat(String extraFields) {
        return """
                {"model": "scripted-model", "messages": [{"role": "system", "content": "Be nice"},
                  {"role": "user", "content": "Say hello"}]%s}""".formatted(extraFields);
    }

    /** The body with the random id replaced by {@code ID}, after checking its prefix. */
    static JsonNode withoutId(JsonNode body, String prefix) {
        assertThat(body.get("id").asText()).startsWith(prefix).hasSizeGreaterThan(prefix.length() + 8);
        ((ObjectNode) body).put("id", "ID");
        return body;
    }

    @Test
    void reasoningWrittenApartFromTheAnswerIsReasoningContentInTheMessageAndInDeltas() {
        service.reasoningFirst("The user", " greets.");
        var reply = http.post("/v1/chat/completions", chat(""));
        assertThat(reply.json().at("/choices/0/message")).isEqualTo(Http.json("""
                {"role": "assistant", "content": "Hello world", "reasoning_content": "The user greets.",
                 "refusal": null}"""));

        List<JsonNode> deltas = http.post("/v1/chat/completions", chat(", \"stream\": true")).events().stream()
                .filter(e -> !e.equals("[DONE]")).map(e -> Http.json(e).at("/choices/0/delta")).toList();
        assertThat(deltas).containsExactly(Http.json("{\"role\": \"assistant\", \"content\": \"\"}"),
                Http.json("{\"reasoning_content\": \"The user\"}"), Http.json("{\"reasoning_content\": \" greets.\"}"),
                Http.json("{\"content\": \"Hello\"}"), Http.json("{\"content\": \" world\"}"), Http.json("{}"));
    }

    @Test
    void aChatCompletionAnswersInTheOpenAiShape() {
        var reply = http.post("/v1/chat/completions", chat(""));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertThat(withoutId(reply.json(), "chatcmpl-")).isEqualTo(Http.json("""
                {"id": "ID", "object": "chat.completion", "created": %d, "model": "scripted-model",
                 "system_fingerprint": "fp_junction",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello world", "refusal": null},
                   "logprobs": null, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6,
                   "prompt_tokens_details": {"cached_tokens": 0}}}""".formatted(NOW)));
    }

    @Test
    void theConversationAndEverySamplingFieldReachTheService() {
        http.post("/v1/chat/completions", chat("""
                , "max_completion_tokens": 5, "temperature": 0.7, "top_p": 0.9, "seed": 11, "stop": ["\\n", "END"],
                  "presence_penalty": 0.5, "frequency_penalty": 0.25, "logit_bias": {"42": -100},
                  "top_k": 40, "min_p": 0.05, "user": "someone", "unknown_field": [1, 2]"""));

        GenerationRequest request = service.requests().getFirst();
        assertThat(request.model()).isEqualTo("scripted-model");
        assertThat(request.prompt()).isEqualTo(Prompt.chat(new Prompt.Message("system", "Be nice"),
                new Prompt.Message("user", "Say hello")));
        assertThat(request.maxTokens()).isEqualTo(5);
        assertThat(request.stop()).containsExactly("\n", "END");
        var sampling = request.sampling();
        assertThat(sampling.temperature()).isEqualTo(0.7);
        assertThat(sampling.topP()).isEqualTo(0.9);
        assertThat(sampling.topK()).isEqualTo(40);
        assertThat(sampling.minP()).isEqualTo(0.05);
        assertThat(sampling.seed()).isEqualTo(11L);
        assertThat(sampling.presencePenalty()).isEqualTo(0.5);
        assertThat(sampling.frequencyPenalty()).isEqualTo(0.25);
        assertThat(sampling.logitBias()).isEqualTo(Map.of(42, -100.0));
        assertThat(request.logprobs()).isFalse();
    }

    @Test
    void aTokenLimitEndsWithFinishReasonLength() {
        var reply = http.post("/v1/chat/completions", chat(", \"max_tokens\": 1"));

        assertThat(reply.json().at("/choices/0/message/content").asText()).isEqualTo("Hello");
        assertThat(reply.json().at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void nChoicesAreSeparateGenerationsWithConsecutiveSeeds() {
        var reply = http.post("/v1/chat/completions", chat(", \"n\": 3, \"seed\": 100"));

        assertThat(reply.json().get("choices")).extracting(c -> c.get("index").asInt()).containsExactly(0, 1, 2);
        assertThat(reply.json().get("choices")).allSatisfy(c ->
                assertThat(c.at("/message/content").asText()).isEqualTo("Hello world"));
        assertThat(service.requests()).extracting(r -> r.sampling().seed()).containsExactly(100L, 101L, 102L);
        assertThat(reply.json().at("/usage/prompt_tokens").asInt()).as("the prompt counts once").isEqualTo(4);
        assertThat(reply.json().at("/usage/completion_tokens").asInt()).isEqualTo(6);
    }

    @Test
    void withoutASeedEveryChoiceSamplesFreely() {
        http.post("/v1/chat/completions", chat(", \"n\": 2"));

        assertThat(service.requests()).extracting(r -> r.sampling().seed()).containsExactly(null, null);
    }

    @Test
    void logprobsListEveryTokenWithItsAlternatives() {
        var reply = http.post("/v1/chat/completions", chat(", \"logprobs\": true, \"top_logprobs\": 2"));

        assertThat(service.requests().getFirst().logprobs()).isTrue();
        assertThat(service.requests().getFirst().topLogprobs()).isEqualTo(2);
        assertThat(reply.json().at("/choices/0/logprobs")).isEqualTo(Http.json("""
                {"content": [
                  {"token": "Hello", "logprob": -0.5, "bytes": [72, 101, 108, 108, 111], "top_logprobs": [
                    {"token": "Hello", "logprob": -0.5, "bytes": [72, 101, 108, 108, 111]},
                    {"token": "alt1", "logprob": -1.5, "bytes": [97, 108, 116, 49]}]},
                  {"token": " world", "logprob": -0.5, "bytes": [32, 119, 111, 114, 108, 100], "top_logprobs": [
                    {"token": " world", "logprob": -0.5, "bytes": [32, 119, 111, 114, 108, 100]},
                    {"token": "alt1", "logprob": -1.5, "bytes": [97, 108, 116, 49]}]}],
                 "refusal": null}"""));
    }

    @Test
    void aStreamSendsTheRoleThenContentThenTheFinishReasonThenDone() {
        var reply = http.post("/v1/chat/completions", chat(", \"stream\": true"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("text/event-stream");
        assertThat(reply.body()).startsWith("data: {").endsWith("\n\ndata: [DONE]\n\n");
        List<String> events = reply.events();
        assertThat(events).hasSize(5);
        assertThat(events.getLast()).isEqualTo("[DONE]");
        String id = Http.json(events.getFirst()).get("id").asText();
        assertThat(id).startsWith("chatcmpl-");
        String head = """
                "id": "%s", "object": "chat.completion.chunk", "created": %d, "model": "scripted-model",
                "system_fingerprint": "fp_junction",""".formatted(id, NOW);
        assertThat(Http.json(events.get(0))).isEqualTo(Http.json("{" + head + """
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": null,
                  "finish_reason": null}]}"""));
        assertThat(Http.json(events.get(1))).isEqualTo(Http.json("{" + head + """
                "choices": [{"index": 0, "delta": {"content": "Hello"}, "logprobs": null, "finish_reason": null}]}"""));
        assertThat(Http.json(events.get(2)).at("/choices/0/delta/content").asText()).isEqualTo(" world");
        assertThat(Http.json(events.get(3))).isEqualTo(Http.json("{" + head + """
                "choices": [{"index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop"}]}"""));
    }

    @Test
    void includeUsageEndsTheStreamWithAUsageChunkWithoutChoices() {
        var events = http.post("/v1/chat/completions",
                chat(", \"stream\": true, \"stream_options\": {\"include_usage\": true}")).events();

        assertThat(events).hasSize(6);
        assertThat(Http.json(events.get(3)).has("usage")).as("only the last chunk carries usage").isFalse();
        JsonNode usage = Http.json(events.get(4));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage")).isEqualTo(Http.json("""
                {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6,
                 "prompt_tokens_details": {"cached_tokens": 0}}"""));
    }

    @Test
    void aStreamOfSeveralChoicesIndexesEveryChunk() {
        var events = http.post("/v1/chat/completions", chat(", \"stream\": true, \"n\": 2")).events();
        var chunks = events.subList(0, events.size() - 1).stream().map(Http::json).toList();

        for (int index : new int[]{0, 1}) {
            var own = chunks.stream().filter(c -> c.at("/choices/0/index").asInt() == index).toList();
            assertThat(own.getFirst().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
            assertThat(own.stream().map(c -> c.at("/choices/0/delta/content").asText("")))
                    .containsExactly("", "Hello", " world", "");
            assertThat(own.getLast().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        }
    }

    @Test
    void streamedLogprobsTravelWithTheirToken() {
        var events = http.post("/v1/chat/completions",
                chat(", \"stream\": true, \"logprobs\": true, \"top_logprobs\": 1")).events();

        assertThat(Http.json(events.get(1)).at("/choices/0/logprobs")).isEqualTo(Http.json("""
                {"content": [{"token": "Hello", "logprob": -0.5, "bytes": [72, 101, 108, 108, 111],
                  "top_logprobs": [{"token": "Hello", "logprob": -0.5, "bytes": [72, 101, 108, 108, 111]}]}],
                 "refusal": null}"""));
    }

    @Test
    void textPartsAreJoinedIntoOneMessage() {
        http.post("/v1/chat/completions", """
                {"model": "scripted-model", "messages": [{"role": "user", "content": [
                  {"type": "text", "text": "Hello"}, {"type": "text", "text": "there"}]}]}""");

        assertThat(service.requests().getFirst().prompt())
                .isEqualTo(Prompt.chat(new Prompt.Message("user", "Hello\nthere")));
    }
}
