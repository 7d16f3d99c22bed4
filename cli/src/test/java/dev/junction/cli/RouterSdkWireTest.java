package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import dev.junction.router.SuppliersView;
import dev.junction.testkit.upstream.Canned;
import dev.junction.testkit.upstream.Echo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * The router as applications meet it ({@link RouterSdkFixture}: {@code serve --config junction.yaml} over fake
 * upstreams and the local engine, used through the official OpenAI Java SDK): what passes through it. The upstream's
 * answer comes back as it gave it — chats, completions, streamed chunks, tool calls and fields no OpenAI version has —
 * with the routing headers, and a stream gets the usage chunk only when it asks for it (the router meters the tokens
 * either way); the request reaches the upstream unchanged but for the model and the usage the router asks for. Each
 * test has its own public model (and where it needs faults, its own upstream), so the tests do not depend on each
 * other's traffic; after each, nothing may be left in flight and no log line may show a credential.
 */
class RouterSdkWireTest extends RouterSdkFixture {
    // --- answers passed through

    @Test
    void aChatIsTheUpstreamsAnswerWithTheRoutingHeaders() {
        HttpResponseFor<ChatCompletion> response = openai.chat().completions().withRawResponse()
                .create(chat("tiny").build());
        ChatCompletion completion = response.parse();

        completion.validate();
        assertThat(completion.model()).isEqualTo("up-tiny"); // the supplier's answer, as it gave it
        assertThat(completion.choices().getFirst().message().content()).contains("tok0 tok1 tok2 tok3 ");
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(3);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(4);
        assertRouted(response, "s1", 1);
        var received = lastCompletion(s1);
        assertThat(received.path()).isEqualTo("/v1/chat/completions");
        assertThat(received.header("authorization")).contains("Bearer " + S1_KEY);
    }

    @Test
    void aCompletionIsTheUpstreamsAnswer() {
        HttpResponseFor<Completion> response = openai.completions().withRawResponse()
                .create(complete("tiny").build());
        Completion completion = response.parse();

        completion.validate();
        assertThat(completion.choices().getFirst().text()).isEqualTo("tok0 tok1 tok2 tok3 ");
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(4);
        assertRouted(response, "s1", 1);
        assertThat(lastCompletion(s1).path()).isEqualTo("/v1/completions");
    }

    @Test
    void aStreamThatAsksForUsageGetsExactlyOneUsageChunkWithTheUpstreamsCounts() {
        var options = ChatCompletionStreamOptions.builder().includeUsage(true).build();
        HttpResponseFor<StreamResponse<ChatCompletionChunk>> response = openai.chat().completions()
                .withRawResponse().createStreaming(chat("tiny").streamOptions(options).build());
        List<ChatCompletionChunk> chunks = OpenAiSdk.drain(response.parse());

        chunks.forEach(ChatCompletionChunk::validate);
        assertThat(content(chunks)).isEqualTo("tok0 tok1 tok2 tok3 ");
        List<ChatCompletionChunk> withUsage = chunks.stream().filter(c -> c.usage().isPresent()).toList();
        assertThat(withUsage).singleElement().satisfies(c -> {
            assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(3);
            assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(4);
            assertThat(c.usage().orElseThrow().totalTokens()).isEqualTo(7);
        });
        assertRouted(response, "s1", 1);

        List<Completion> texts = OpenAiSdk.drain(openai.completions().createStreaming(complete("tiny")
                .streamOptions(options).build()));
        assertThat(texts.stream().filter(c -> c.usage().isPresent()).toList()).singleElement()
                .satisfies(c -> assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(4));
        assertThat(texts.stream().filter(c -> !c.choices().isEmpty()).map(c -> c.choices().getFirst().text())
                .collect(Collectors.joining())).isEqualTo("tok0 tok1 tok2 tok3 ");
    }

    @Test
    void aStreamThatDoesNotAskForUsageGetsNoneButTheRouterMetersItsTokens() throws Exception {
        List<ChatCompletionChunk> chunks = OpenAiSdk.drain(openai.chat().completions()
                .createStreaming(chat("metered").build()));

        assertThat(content(chunks)).isEqualTo("tok0 tok1 tok2 tok3 ");
        assertThat(chunks).noneMatch(c -> c.usage().isPresent());
        // the router asked for the usage chunk itself, read it and kept it from the client
        assertThat(JSON.readTree(lastCompletion(s1).bodyText()).path("stream_options").path("include_usage")
                .asBoolean()).isTrue();
        double spend = (3 * 0.10 + 4 * 0.40) / 1_000_000;
        assertThat(metric("junction_router_tokens_total", "model", "metered", "kind", "prompt")).isEqualTo(3);
        assertThat(metric("junction_router_tokens_total", "model", "metered", "kind", "completion")).isEqualTo(4);
        assertThat(metric("junction_router_spend_usd_total", "model", "metered", "supplier", "s1"))
                .isCloseTo(spend, offset(1e-12));
        SuppliersView.DeploymentView view = deployment("metered", "s1");
        assertThat(view.promptTokens()).isEqualTo(3);
        assertThat(view.completionTokens()).isEqualTo(4);
        assertThat(view.spendUsd()).isCloseTo(spend, offset(1e-12));
    }

    @Test
    void toolsToolChoiceResponseFormatAndUnknownFieldsReachTheUpstreamUnchangedButForTheModel() throws Exception {
        ChatCompletionCreateParams params = withEverything(chat("tiny")).build();

        openai.chat().completions().create(params);

        JsonNode received = JSON.readTree(lastCompletion(s1).bodyText());
        assertThat(received.path("model").textValue()).isEqualTo("up-tiny");
        assertThat(without(received, "model")).isEqualTo(without(sentBody(params), "model"));
        assertThat(received.get("tool_choice")).isEqualTo(JSON.readTree(
                "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"));
        assertThat(received.get("x_vendor_option")).isEqualTo(JSON.readTree(
                "{\"region\":\"eu-west\",\"weights\":[1,2.5,null],\"nested\":{\"keep\":true}}"));
        assertThat(received.path("response_format").path("json_schema").path("schema").path("required"))
                .isEqualTo(JSON.readTree("[\"celsius\"]"));
    }

    @Test
    void aStreamedRequestReachesTheUpstreamUnchangedButForTheModelAndTheUsageItAsksFor() throws Exception {
        ChatCompletionCreateParams params = withEverything(chat("tiny")).build();
        s1.echo(Echo.CONTENT); // the answer's text is the body the upstream received
        String echoed;
        try {
            echoed = content(OpenAiSdk.drain(openai.chat().completions().createStreaming(params)));
        } finally {
            s1.echo(Echo.OFF);
        }

        ObjectNode expected = without(sentBody(params), "model");
        expected.put("stream", true).putObject("stream_options").put("include_usage", true);
        JsonNode received = JSON.readTree(echoed);
        assertThat(without(received, "model")).isEqualTo(expected);
        assertThat(received.path("model").textValue()).isEqualTo("up-tiny");
    }

    @Test
    void aToolCallFromTheUpstreamComesBackUnchanged() throws Exception {
        s1.answerWith(new Canned(TOOL_CALL_ANSWER, TOOL_CALL_CHUNKS));
        try {
            ChatCompletion completion = openai.chat().completions().create(withEverything(chat("canned")).build());
            ChatCompletionMessageFunctionToolCall call = completion.choices().getFirst().message().toolCalls()
                    .orElseThrow().getFirst().function().orElseThrow();
            assertThat(call.id()).isEqualTo("call_w1");
            assertThat(call.function().name()).isEqualTo("get_weather");
            assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
            assertThat(completion.choices().getFirst().finishReason())
                    .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
            assertThat(completion._additionalProperties()).containsKey("x_vendor_trace");

            // byte for byte, as a client without the SDK sees it
            HttpResponse<String> raw = post("/v1/chat/completions",
                    "{\"model\":\"canned\",\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}]}");
            assertThat(raw.statusCode()).isEqualTo(200);
            assertThat(raw.body()).isEqualTo(TOOL_CALL_ANSWER);

            List<ChatCompletionChunk> chunks = OpenAiSdk.drain(openai.chat().completions()
                    .createStreaming(withEverything(chat("canned")).build()));
            String arguments = chunks.stream().flatMap(c -> c.choices().stream())
                    .flatMap(c -> c.delta().toolCalls().orElse(List.of()).stream())
                    .map(t -> t.function().flatMap(f -> f.arguments()).orElse(""))
                    .collect(Collectors.joining());
            assertThat(arguments).isEqualTo("{\"city\":\"Paris\"}");
            assertThat(chunks.getFirst().choices().getFirst().delta().toolCalls().orElseThrow().getFirst().id())
                    .contains("call_w1");
            assertThat(chunks).hasSize(TOOL_CALL_CHUNKS.size() - 1) // the usage chunk was not asked for
                    .noneMatch(c -> c.usage().isPresent());
        } finally {
            s1.generatedAnswers();
        }
    }

    // --- requests

    /** A chat with tools, a named tool choice, a JSON schema for the answer and fields the SDK does not know. */
    static ChatCompletionCreateParams.Builder withEverything(ChatCompletionCreateParams.Builder chat) {
        var schema = ResponseFormatJsonSchema.JsonSchema.builder().name("weather").strict(true)
                .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("celsius",
                                Map.of("type", "number"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("celsius")))
                        .build())
                .build();
        return chat.addSystemMessage("Answer in JSON.").addTool(WEATHER)
                .toolChoice(ChatCompletionNamedToolChoice.builder().function(
                        ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build()).build())
                .parallelToolCalls(false)
                .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(schema).build())
                .putAdditionalBodyProperty("x_vendor_option", JsonValue.from(Map.of("region", "eu-west",
                        "weights", Arrays.asList(1, 2.5, null), "nested", Map.of("keep", true))));
    }

    /** The body the SDK sends for {@code params}. */
    static ObjectNode sentBody(ChatCompletionCreateParams params) throws IOException {
        return (ObjectNode) JSON.readTree(ObjectMappers.jsonMapper().writeValueAsString(params._body()));
    }

    static ObjectNode without(JsonNode body, String field) {
        ObjectNode copy = ((ObjectNode) body).deepCopy();
        copy.remove(field);
        return copy;
    }

    /** A chat answer with a tool call and a field no OpenAI version has, as a supplier might send it. */
    static final String TOOL_CALL_ANSWER = "{\"id\":\"chatcmpl-w1\",\"object\":\"chat.completion\","
            + "\"created\":1700000000,\"model\":\"up-canned\",\"system_fingerprint\":\"fp_w1\",\"choices\":[{"
            + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_w1\","
            + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":"
            + "\\\"Paris\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":{"
            + "\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19},\"x_vendor_trace\":{\"hop\":1}}";

    static final String CHUNK = "{\"id\":\"chatcmpl-w2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"up-canned\",\"choices\":%s,\"usage\":%s}";

    /** The same tool call streamed: its name, its arguments in two pieces, the finish, the usage. */
    static final List<String> TOOL_CALL_CHUNKS = List.of(
            CHUNK.formatted("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{"
                    + "\"index\":0,\"id\":\"call_w1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                    + "\"arguments\":\"\"}}]},\"finish_reason\":null}]", "null"),
            CHUNK.formatted("[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                    + "\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]", "null"),
            CHUNK.formatted("[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                    + "\"\\\"Paris\\\"}\"}}]},\"finish_reason\":null}]", "null"),
            CHUNK.formatted("[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]", "null"),
            CHUNK.formatted("[]", "{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19}"));
}
