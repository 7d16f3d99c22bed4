package dev.junction.openai;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatCompletionRequestTest {
    static ChatCompletionRequest parse(String json) {
        return ChatCompletionRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static InvalidRequestException refusal(String json) {
        try {
            parse(json);
        } catch (InvalidRequestException e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void reasoningEffortAndChatTemplateKwargsAreTemplateArguments() {
        var request = parse("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "reasoning_effort": "high",
                 "chat_template_kwargs": {"enable_thinking": false, "depth": 2, "style": "terse", "gone": null,
                   "reasoning_effort": "low"}}""");
        assertThat(request.templateArguments()).isEqualTo(Map.of("enable_thinking", false, "depth", 2L,
                "style", "terse", "reasoning_effort", "high"));
        assertThat(parse("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}""").templateArguments()).isEmpty();

        var effort = refusal("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "reasoning_effort": "extreme"}""");
        assertThat(effort.param()).isEqualTo("reasoning_effort");
        assertThat(effort.getMessage()).contains("'extreme'").contains("'low'");
        var kwarg = refusal("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}],
                 "chat_template_kwargs": {"tools": [1]}}""");
        assertThat(kwarg.param()).isEqualTo("chat_template_kwargs.tools");
        assertThat(refusal("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "chat_template_kwargs": [1]}""")
                .param()).isEqualTo("chat_template_kwargs");
    }

    @Test
    void aMinimalRequestGetsTheOpenAiDefaults() {
        var request = parse("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}""");

        assertThat(request.model()).isEqualTo("m");
        assertThat(request.messages()).containsExactly(new ChatCompletionRequest.Message("user", "Hi"));
        var options = request.options();
        assertThat(options.maxTokens()).isNull();
        assertThat(options.temperature()).isEqualTo(1);
        assertThat(options.topP()).isEqualTo(1);
        assertThat(options.n()).isEqualTo(1);
        assertThat(options.stop()).isEmpty();
        assertThat(options.seed()).isNull();
        assertThat(options.stream()).isFalse();
        assertThat(request.logprobs()).isFalse();
    }

    @Test
    void everySamplingFieldIsRead() {
        var request = parse("""
                {"model": "m", "messages": [{"role": "system", "content": "Be brief"},
                  {"role": "developer", "content": "Really"}, {"role": "user", "content": "Hi"},
                  {"role": "assistant", "content": null}],
                 "max_tokens": 7, "temperature": 0.5, "top_p": 0.9, "n": 3, "stop": ["a", "b"], "seed": 42,
                 "presence_penalty": 0.1, "frequency_penalty": -0.2, "logit_bias": {"15": -100, "7": 2.5},
                 "logprobs": true, "top_logprobs": 3, "user": "u-1", "stream": true,
                 "stream_options": {"include_usage": true}, "some_future_field": {"x": 1}}""");

        var options = request.options();
        assertThat(request.messages()).extracting(ChatCompletionRequest.Message::role)
                .containsExactly("system", "developer", "user", "assistant");
        assertThat(request.messages().get(3).content()).isEmpty();
        assertThat(options.maxTokens()).isEqualTo(7);
        assertThat(options.temperature()).isEqualTo(0.5);
        assertThat(options.topP()).isEqualTo(0.9);
        assertThat(options.n()).isEqualTo(3);
        assertThat(options.stop()).containsExactly("a", "b");
        assertThat(options.seed()).isEqualTo(42L);
        assertThat(options.presencePenalty()).isEqualTo(0.1);
        assertThat(options.frequencyPenalty()).isEqualTo(-0.2);
        assertThat(options.logitBias()).isEqualTo(Map.of(15, -100.0, 7, 2.5));
        assertThat(options.user()).isEqualTo("u-1");
        assertThat(options.stream()).isTrue();
        assertThat(options.includeUsage()).isTrue();
        assertThat(request.logprobs()).isTrue();
        assertThat(request.topLogprobs()).isEqualTo(3);
    }

    @Test
    void vllmsTopKOfMinusOneMeansOff() {
        assertThat(parse(withMessages("\"top_k\": -1")).options().topK()).isZero();
        assertThat(parse(withMessages("\"top_k\": 40, \"min_p\": 0.1")).options().topK()).isEqualTo(40);
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() {
        var request = parse("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}],
                 "max_tokens": 7, "max_completion_tokens": 9}""");

        assertThat(request.options().maxTokens()).isEqualTo(9);
    }

    @Test
    void aSingleStopStringIsAListOfOne() {
        assertThat(parse("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "stop": "\\n"}""")
                .options().stop()).containsExactly("\n");
    }

    @Test
    void textPartsAreJoinedWithNewlines() {
        var request = parse("""
                {"model": "m", "messages": [{"role": "user", "content": [
                  {"type": "text", "text": "one"}, {"type": "text", "text": "two"}]}]}""");

        assertThat(request.messages().getFirst().content()).isEqualTo("one\ntwo");
    }

    @Test
    void anImagePartIsRefusedNamingItsType() {
        var error = refusal("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}, {"role": "user", "content": [
                  {"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "x"}}]}]}""");

        assertThat(error.param()).isEqualTo("messages[1].content[1].type");
        assertThat(error.getMessage()).contains("image_url");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tools               | [{"type": "function", "function": {"name": "f"}}]
            tool_choice         | "none"
            parallel_tool_calls | false
            functions           | [{"name": "f"}]
            function_call       | "auto"
            audio               | {"voice": "alloy", "format": "wav"}
            prediction          | {"type": "content", "content": "x"}
            verbosity           | "low"
            web_search_options  | {}
            """)
    void aFieldNoModelCanHonourIsRefusedNamingItAndTheModel(String field, String value) {
        var error = refusal(withMessages("\"" + field + "\": " + value));

        assertThat(error.param()).isEqualTo(field);
        assertThat(error.getMessage()).isEqualTo("'" + field + "' is not supported by model 'm'.");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"type": "json_object"}
            {"type": "json_schema", "json_schema": {"name": "s", "schema": {}}}
            """)
    void aJsonResponseFormatIsRefused(String format) {
        var error = refusal(withMessages("\"response_format\": " + format));

        assertThat(error.param()).isEqualTo("response_format");
        assertThat(error.getMessage()).startsWith("'response_format' of type 'json_").contains("model 'm'");
    }

    @Test
    void audioOutputIsRefused() {
        var error = refusal(withMessages("\"modalities\": [\"text\", \"audio\"]"));

        assertThat(error.param()).isEqualTo("modalities");
        assertThat(error.getMessage()).contains("not supported by model 'm'");
    }

    @Test
    void aToolCallInTheHistoryIsRefusedNamingTheMessage() {
        var error = refusal("""
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": null,
                  "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}]}""");

        assertThat(error.param()).isEqualTo("messages[1].tool_calls");
        assertThat(error.getMessage()).isEqualTo("'messages[1].tool_calls' is not supported by model 'm'.");
    }

    @Test
    void fieldsThatChangeNothingAboutTheAnswerAreAccepted() {
        var request = parse(withMessages("""
                "user": "u", "metadata": {"k": "v"}, "store": false, "service_tier": "auto",
                "response_format": {"type": "text"}, "modalities": ["text"]"""));

        assertThat(request.messages()).hasSize(1);
        assertThat(parse("""
                {"model": "m", "messages": [{"role": "assistant", "content": "Hi", "tool_calls": []}]}""")
                .messages()).hasSize(1);
    }

    @Test
    void anUnsupportedFieldSentAsNullCountsAsAbsent() {
        var request = parse(withMessages("""
                "tools": null, "tool_choice": null, "parallel_tool_calls": null, "functions": null,
                "function_call": null, "audio": null, "modalities": null, "prediction": null,
                "response_format": null, "reasoning_effort": null, "verbosity": null, "web_search_options": null"""));

        assertThat(request.messages()).hasSize(1);
    }

    @Test
    void refusalsNameTheFieldAtFault() {
        assertThat(refusal("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}").param()).isEqualTo("model");
        assertThat(refusal("{\"model\": \"m\"}").param()).isEqualTo("messages");
        assertThat(refusal("{\"model\": \"m\", \"messages\": []}").param()).isEqualTo("messages");
        assertThat(refusal("{\"model\": \"m\", \"messages\": \"Hi\"}").param()).isEqualTo("messages");
        assertThat(refusal("{\"model\": \"m\", \"messages\": [{\"content\": \"Hi\"}]}").param())
                .isEqualTo("messages[0].role");
        assertThat(refusal("{\"model\": \"m\", \"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}").param())
                .isEqualTo("messages[0].role");
        assertThat(refusal("{\"model\": \"m\", \"messages\": [{\"role\": \"user\"}]}").param())
                .isEqualTo("messages[0].content");
        assertThat(refusal(withMessages("\"temperature\": \"hot\"")).param()).isEqualTo("temperature");
        assertThat(refusal(withMessages("\"n\": 1.5")).param()).isEqualTo("n");
        assertThat(refusal(withMessages("\"n\": 0")).param()).isEqualTo("n");
        assertThat(refusal(withMessages("\"max_tokens\": 0")).param()).isEqualTo("max_tokens");
        assertThat(refusal(withMessages("\"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]")).param()).isEqualTo("stop");
        assertThat(refusal(withMessages("\"stop\": [1]")).param()).isEqualTo("stop[0]");
        assertThat(refusal(withMessages("\"logit_bias\": {\"abc\": 1}")).param()).isEqualTo("logit_bias");
        assertThat(refusal(withMessages("\"top_logprobs\": 2")).param()).isEqualTo("top_logprobs");
        assertThat(refusal(withMessages("\"logprobs\": true, \"top_logprobs\": 21")).param()).isEqualTo("top_logprobs");
        assertThat(refusal(withMessages("\"stream\": \"yes\"")).param()).isEqualTo("stream");
    }

    @Test
    void malformedJsonIsRefusedWithoutAParam() {
        assertThat(refusal("{\"model\": ").param()).isNull();
        assertThat(refusal("[1, 2]").param()).isNull();
        assertThat(refusal("").param()).isNull();
        assertThat(refusal("{} {}").param()).isNull();
    }

    @Test
    void aWholeNumberWrittenAsADecimalIsAnInteger() {
        assertThat(parse(withMessages("\"max_tokens\": 16.0")).options().maxTokens()).isEqualTo(16);
    }

    @Test
    void includeUsageCountsOnlyWhenStreaming() {
        assertThat(parse(withMessages("\"stream_options\": {\"include_usage\": true}")).options().includeUsage())
                .isFalse();
        assertThat(parse(withMessages("\"stop\": null, \"seed\": null")).options().stop()).isEqualTo(List.of());
    }

    private static String withMessages(String fields) {
        return "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], " + fields + "}";
    }

    @Test
    void refusalsAreThrownAsInvalidRequests() {
        assertThatThrownBy(() -> parse("nope")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("parse the JSON body");
    }
}
