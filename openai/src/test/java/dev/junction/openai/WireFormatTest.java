package dev.junction.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WireFormatTest {
    private static final ObjectMapper PLAIN = new ObjectMapper();

    static JsonNode json(Object value) throws Exception {
        return PLAIN.readTree(OpenAiJson.write(value));
    }

    static JsonNode json(String text) throws Exception {
        return PLAIN.readTree(text);
    }

    @Test
    void aChatCompletionHasTheOpenAiShape() throws Exception {
        var logprob = new TokenLogprob("Hi", -0.5, TokenLogprob.unsigned(new byte[]{'H', 'i'}),
                List.of(new TokenLogprob.TopLogprob("Hi", -0.5, List.of(72, 105))));
        var completion = new ChatCompletion("chatcmpl-1", 1700000000, "m", "fp_x", List.of(
                new ChatCompletion.Choice(0, ChatCompletion.Message.assistant("Hi"),
                        ChatCompletion.Logprobs.of(List.of(logprob)), "stop")),
                CompletionUsage.of(3, 1, 2));

        assertThat(json(completion)).isEqualTo(json("""
                {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "m",
                 "system_fingerprint": "fp_x",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi", "refusal": null},
                   "logprobs": {"content": [{"token": "Hi", "logprob": -0.5, "bytes": [72, 105],
                     "top_logprobs": [{"token": "Hi", "logprob": -0.5, "bytes": [72, 105]}]}], "refusal": null},
                   "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4,
                   "prompt_tokens_details": {"cached_tokens": 2}}}"""));
        assertThat(new String(OpenAiJson.write(completion), StandardCharsets.UTF_8))
                .startsWith("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000");
    }

    @Test
    void chunkDeltasLeaveOutWhatTheyDoNotAdd() throws Exception {
        var first = new ChatCompletionChunk("c", 1, "m", "fp", List.of(
                new ChatCompletionChunk.Choice(0, new ChatCompletionChunk.Delta("assistant", ""), null, null)), null);
        var last = new ChatCompletionChunk("c", 1, "m", "fp", List.of(
                new ChatCompletionChunk.Choice(0, ChatCompletionChunk.Delta.EMPTY, null, "length")), null);
        var usage = new ChatCompletionChunk("c", 1, "m", "fp", List.of(), CompletionUsage.of(1, 2, 0));

        assertThat(json(first)).isEqualTo(json("""
                {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "system_fingerprint": "fp",
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": null,
                   "finish_reason": null}]}"""));
        assertThat(json(last).at("/choices/0/delta")).isEqualTo(json("{}"));
        assertThat(json(usage).get("choices")).isEmpty();
        assertThat(json(usage).at("/usage/total_tokens").intValue()).isEqualTo(3);
    }

    @Test
    void aTextCompletionCarriesLegacyLogprobs() throws Exception {
        var completion = new TextCompletion("cmpl-1", 1, "m", "fp", List.of(new TextCompletion.Choice(0, " a",
                new TextCompletion.Logprobs(List.of(" a"), List.of(-0.1), List.of(Map.of(" a", -0.1)), List.of(0)),
                "length")), CompletionUsage.of(1, 1, 0));

        assertThat(json(completion)).isEqualTo(json("""
                {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m", "system_fingerprint": "fp",
                 "choices": [{"index": 0, "text": " a", "logprobs": {"tokens": [" a"], "token_logprobs": [-0.1],
                   "top_logprobs": [{" a": -0.1}], "text_offset": [0]}, "finish_reason": "length"}],
                 "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2,
                   "prompt_tokens_details": {"cached_tokens": 0}}}"""));
    }

    @Test
    void modelsAndErrorsHaveTheirOpenAiShapes() throws Exception {
        assertThat(json(new ModelList(List.of(new Model("m", 5, "junction"))))).isEqualTo(json("""
                {"object": "list", "data": [{"id": "m", "object": "model", "created": 5, "owned_by": "junction"}]}"""));
        assertThat(json(new ApiError("No such model", ApiError.INVALID_REQUEST, "model", "model_not_found").body()))
                .isEqualTo(json("""
                        {"error": {"message": "No such model", "type": "invalid_request_error", "param": "model",
                          "code": "model_not_found"}}"""));
    }

    @Test
    void responsesReadBackIntoTheirRecords() {
        var completion = new ChatCompletion("id", 1, "m", "fp", List.of(new ChatCompletion.Choice(0,
                ChatCompletion.Message.assistant("x"), null, "stop")), CompletionUsage.of(1, 1, 0));

        String text = new String(OpenAiJson.write(completion), StandardCharsets.UTF_8);

        assertThat(OpenAiJson.read(text, ChatCompletion.class)).isEqualTo(completion);
    }

    @Test
    void eventsAreDataLinesEndedByABlankLine() {
        byte[] event = ServerSentEvents.encode("{\"a\":1}".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(event, StandardCharsets.UTF_8)).isEqualTo("data: {\"a\":1}\n\n");
        assertThat(new String(ServerSentEvents.done(), StandardCharsets.UTF_8)).isEqualTo("data: [DONE]\n\n");
    }

    @Test
    void theDecoderSkipsCommentsAndJoinsDataLines() {
        String stream = ": keep-alive\n\ndata: {\"a\":1}\n\nevent: x\ndata:one\ndata: two\n\ndata: [DONE]\n\n";

        assertThat(ServerSentEvents.decodeAll(stream)).containsExactly("{\"a\":1}", "one\ntwo", "[DONE]");
    }
}
