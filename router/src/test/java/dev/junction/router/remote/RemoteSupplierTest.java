package dev.junction.router.remote;

import dev.junction.openai.relay.Endpoint;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.inference.Usage;
import dev.junction.router.config.Contract;
import dev.junction.router.config.Price;
import dev.junction.router.config.Secret;
import dev.junction.router.config.SupplierConfig;
import dev.junction.router.config.Timeouts;
import dev.junction.router.upstream.UpstreamClient;
import dev.junction.router.upstream.UpstreamFailure;
import dev.junction.router.upstream.UpstreamListener;
import dev.junction.router.upstream.UpstreamRequest;
import dev.junction.testkit.upstream.FakeUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Bodies pass through but for the model, by each supplier kind's URL and credentials, against a real upstream. */
class RemoteSupplierTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final FakeUpstream up = FakeUpstream.start();
    final UpstreamClient client = new UpstreamClient(Timeouts.DEFAULTS);

    @AfterEach
    void close() {
        client.close();
        up.close();
    }

    static ObjectNode body(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    /** Sends and waits: the events' data and the body (null for a stream), or the failure. */
    record Answer(List<String> events, String body, UpstreamFailure failure) {}

    Answer send(UpstreamRequest request) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Answer> done = new CompletableFuture<>();
        client.send(request, new UpstreamListener() {
            @Override
            public void onEvent(String data) {
                events.add(data);
            }

            @Override
            public void onComplete(byte[] body) {
                done.complete(new Answer(events, body == null ? null : new String(body, StandardCharsets.UTF_8), null));
            }

            @Override
            public void onFailure(UpstreamFailure failure) {
                done.complete(new Answer(events, null, failure));
            }
        });
        return done.get(30, TimeUnit.SECONDS);
    }

    RemoteSupplier openAi(Optional<Secret> key) {
        return RemoteSupplier.of(new SupplierConfig.OpenAi("east", up.openAiBaseUri(), key, Contract.UNLIMITED,
                Price.FREE, Map.of(), Timeouts.DEFAULTS));
    }

    @Test
    void everyFieldButTheModelPassesThroughUnchanged() throws Exception {
        ObjectNode client = body("""
                {"model": "llama-3.1-8b", "messages": [{"role": "user", "content": "weather?"}], "max_tokens": 3,
                 "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
                 "response_format": {"type": "json_object"}, "x_newer_field": [1, {"a": null}]}""");
        Answer a = send(openAi(Optional.of(new Secret("sk-east"))).request(Endpoint.CHAT,
                "meta-llama/Llama-3.1-8B-Instruct", client));
        assertThat(a.failure()).isNull();
        JsonNode received = JSON.readTree(up.lastRequest().body());
        ObjectNode expected = client.deepCopy();
        expected.put("model", "meta-llama/Llama-3.1-8B-Instruct");
        assertThat(received).isEqualTo(expected);
        assertThat(client.path("model").asText()).isEqualTo("llama-3.1-8b"); // the client's body is not touched
        assertThat(up.lastRequest().path()).isEqualTo("/v1/chat/completions");
        assertThat(up.lastRequest().header("authorization")).contains("Bearer sk-east");
        assertThat(WireBodies.usage(JSON.readTree(a.body()))).hasValueSatisfying(
                u -> assertThat(u.completionTokens()).isEqualTo(3));
    }

    @Test
    void aStreamAsksForItsUsageWhichIsReadAndKeptFromAClientThatDidNotAskForIt() throws Exception {
        ObjectNode client = body("""
                {"model": "m", "prompt": "one two three", "max_tokens": 4, "stream": true}""");
        assertThat(WireBodies.clientWantsStreamUsage(client)).isFalse();
        Answer a = send(openAi(Optional.empty()).request(Endpoint.COMPLETIONS, "up-model", client));
        assertThat(a.failure()).isNull();
        assertThat(JSON.readTree(up.lastRequest().body()).path("stream_options").path("include_usage").asBoolean())
                .isTrue();
        assertThat(up.lastRequest().header("authorization")).isEmpty();
        JsonNode last = JSON.readTree(a.events().getLast());
        assertThat(WireBodies.isUsageOnly(last)).isTrue();
        Usage usage = WireBodies.usage(last).orElseThrow();
        assertThat(usage.completionTokens()).isEqualTo(4);
        assertThat(a.events().subList(0, a.events().size() - 1))
                .noneMatch(e -> WireBodies.isUsageOnly(read(e)));
    }

    @Test
    void azureIsCalledByDeploymentAndApiVersionWithAnApiKeyHeader() throws Exception {
        RemoteSupplier azure = RemoteSupplier.of(new SupplierConfig.AzureOpenAi("azure-eu", up.baseUri(),
                "2024-10-21", new Secret("az-key"), Contract.UNLIMITED, Price.FREE, Map.of(), Timeouts.DEFAULTS));
        Answer a = send(azure.request(Endpoint.CHAT, "my-llama-deployment",
                body("{\"model\": \"llama\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")));
        assertThat(a.failure()).isNull();
        assertThat(up.lastRequest().azureDeployment()).contains("my-llama-deployment");
        assertThat(up.lastRequest().query("api-version")).contains("2024-10-21");
        assertThat(up.lastRequest().header("api-key")).contains("az-key");
        assertThat(azure.toString()).doesNotContain("az-key");
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
