package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.upstream.Fault;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The router as applications meet it ({@link RouterSdkFixture}: {@code serve --config junction.yaml} over fake
 * upstreams and the local engine, used through the official OpenAI Java SDK): which deployment takes a request, and
 * what operators see. A request with tools goes to a deployment that can use them (the local engine refuses them with
 * its own error); an Azure deployment is called at its path with its key and API version; the admin view and
 * {@code /metrics} show each deployment, and the admin view is refused to a client that is not on loopback. Each test
 * has its own public model (and where it needs faults, its own upstream), so the tests do not depend on each other's
 * traffic; after each, nothing may be left in flight and no log line may show a credential.
 */
class RouterSdkRoutingTest extends RouterSdkFixture {
    // --- which deployment takes a request

    @Test
    void aRequestWithToolsGoesToADeploymentThatCanUseThemOthersToTheFirstTier() throws Exception {
        long before = completionsReceived(s1);
        HttpResponseFor<ChatCompletion> withTools = openai.chat().completions().withRawResponse()
                .create(chat("mixed").addTool(WEATHER).build());

        assertRouted(withTools, "s1", 1);
        assertThat(withTools.parse().model()).isEqualTo("up-mixed");
        assertThat(JSON.readTree(lastCompletion(s1).bodyText()).path("tools").isArray()).isTrue();

        HttpResponseFor<ChatCompletion> plain = openai.chat().completions().withRawResponse()
                .create(ChatCompletionCreateParams.builder().model("mixed").addUserMessage("Tell me a story.")
                        .maxCompletionTokens(8).build());
        assertRouted(plain, "local", 1);
        ChatCompletion story = plain.parse();
        assertThat(story.model()).isEqualTo("stories");
        assertThat(story.usage().orElseThrow().completionTokens()).isBetween(1L, 8L);
        assertThat(completionsReceived(s1)).isEqualTo(before + 1);
    }

    @Test
    void theLocalEngineRefusesToolsWithItsOwnClearError() {
        var error = catchThrowableOfType(BadRequestException.class, () -> openai.chat().completions()
                .create(chat("local-only").addTool(WEATHER).build()));

        assertThat(error.statusCode()).isEqualTo(400);
        assertThat(error.getMessage()).contains("'tools' is not supported by model 'stories'");
        assertThat(error.type()).contains("invalid_request_error");
        assertThat(error.headers().values("x-junction-supplier")).containsExactly("local");
    }

    @Test
    void azureIsCalledAtItsDeploymentsPathWithItsKeyAndApiVersion() {
        HttpResponseFor<ChatCompletion> response = openai.chat().completions().withRawResponse()
                .create(chat("azure-tiny").build());

        assertRouted(response, "az", 1);
        assertThat(response.parse().choices().getFirst().message().content()).contains("tok0 tok1 tok2 tok3 ");
        var received = lastCompletion(azure);
        assertThat(received.path()).isEqualTo("/openai/deployments/gpt-4o-mini-prod/chat/completions");
        assertThat(received.query("api-version")).contains("2024-10-21");
        assertThat(received.header("api-key")).contains(AZURE_KEY);
        assertThat(received.header("authorization")).isEmpty();

        List<Completion> streamed = OpenAiSdk.drain(openai.completions().createStreaming(complete("azure-tiny")
                .build()));
        assertThat(streamed.stream().filter(c -> !c.choices().isEmpty()).map(c -> c.choices().getFirst().text())
                .collect(Collectors.joining())).isEqualTo("tok0 tok1 tok2 tok3 ");
        assertThat(lastCompletion(azure).path()).isEqualTo("/openai/deployments/gpt-4o-mini-prod/completions");
    }

    // --- what operators see

    @Test
    void theAdminViewAndMetricsShowEachDeployment() throws Exception {
        openai.chat().completions().create(chat("viewed").build());
        openai.chat().completions().create(chat("viewed").build());
        s1.fault(Fault.http(500)).times(1);
        try {
            assertThat(catchThrowableOfType(InternalServerException.class,
                    () -> openai.chat().completions().create(chat("viewed").build())).statusCode()).isEqualTo(502);
        } finally {
            s1.healthy();
        }

        HttpResponse<String> response = get("/admin/v1/suppliers");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode view = JSON.readTree(response.body());
        JsonNode viewed = null;
        for (JsonNode d : view.path("deployments")) {
            if (d.path("model").asText().equals("viewed")) viewed = d;
        }
        assertThat(viewed).as(response.body()).isNotNull();
        assertThat(viewed.path("supplier").asText()).isEqualTo("s1");
        assertThat(viewed.path("upstream_model").asText()).isEqualTo("up-viewed");
        assertThat(viewed.path("breaker").path("state").asText()).isEqualTo("closed");
        assertThat(viewed.path("breaker").path("consecutive_failures").asInt()).isEqualTo(1);
        assertThat(viewed.path("in_flight").asInt()).isZero();
        JsonNode contract = viewed.path("contract");
        assertThat(contract.path("concurrent").asInt()).isZero();
        // the supplier's contract, shared by every model on s1: at least this model's two answered requests
        assertThat(contract.path("requests_last_minute").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(contract.path("rpm").asInt()).isEqualTo(6000);
        assertThat(contract.path("tokens_last_minute").asLong()).isPositive();
        assertThat(contract.path("tpm").asLong()).isEqualTo(2_000_000);
        JsonNode ttft = viewed.path("time_to_first_token");
        assertThat(ttft.path("samples").asInt()).isEqualTo(2);
        assertThat(ttft.path("p50_ms").asDouble()).isPositive();
        assertThat(ttft.path("p99_ms").asDouble()).isGreaterThanOrEqualTo(ttft.path("p50_ms").asDouble());
        assertThat(viewed.path("requests").asInt()).isEqualTo(3);
        assertThat(viewed.path("errors").asInt()).isEqualTo(1);
        assertThat(viewed.path("error_rate").asDouble()).isCloseTo(1 / 3.0, offset(1e-9));
        assertThat(viewed.path("prompt_tokens").asInt()).isEqualTo(6);
        assertThat(viewed.path("completion_tokens").asInt()).isEqualTo(8);
        assertThat(viewed.path("spend_usd").asDouble()).isCloseTo((6 * 0.10 + 8 * 0.40) / 1e6, offset(1e-12));
        assertThat(view.path("retry_budget").path("allowed").isNumber()).isTrue();

        assertThat(metric("junction_router_requests_total", "model", "viewed", "supplier", "s1",
                "outcome", "success")).isEqualTo(2);
        assertThat(metric("junction_router_requests_total", "model", "viewed", "supplier", "s1",
                "outcome", "failed_before_answer")).isEqualTo(1);
        assertThat(metric("junction_router_retries_total", "model", "viewed")).isZero(); // nothing else to try
        assertThat(metric("junction_router_breaker_state", "model", "viewed", "supplier", "s1")).isZero();
        assertThat(metric("junction_router_in_flight", "model", "viewed", "supplier", "s1")).isZero();
        assertThat(metric("junction_router_time_to_first_token_seconds_count", "model", "viewed")).isEqualTo(2);
        assertThat(metric("junction_router_tokens_total", "model", "viewed", "kind", "completion")).isEqualTo(8);
        assertThat(metric("junction_router_spend_usd_total", "model", "viewed")).isPositive();
    }

    @Test
    void theAdminViewIsRefusedToAClientThatIsNotOnLoopback() throws Exception {
        Optional<InetAddress> outside = nonLoopbackAddress();
        assumeThat(outside).as("a non-loopback address of this machine").isPresent();
        Path config = dir.resolve("outside.yaml");
        Files.writeString(config, """
                suppliers:
                  s1: {kind: openai, url: "%s"}
                models:
                  tiny: {deployments: [{supplier: s1}]}
                """.formatted(s1.openAiBaseUri()));
        try (Serving everywhere = Serving.startRouted(config, Map.of(), List.of(), EngineConfig.defaults(),
                ServerConfig.defaults().withHost("0.0.0.0").withPort(0), 1, false,
                new PrintWriter(new StringWriter()))) {
            URI fromOutside = URI.create("http://" + outside.get().getHostAddress() + ":" + everywhere.port());

            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(fromOutside.resolve(
                    "/admin/v1/suppliers")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(fromOutside.resolve("/v1/models"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> local = http.send(HttpRequest.newBuilder(everywhere.baseUri().resolve(
                    "/admin/v1/suppliers")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("forbidden");
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(local.statusCode()).isEqualTo(200);
        }
    }

    static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        return NetworkInterface.networkInterfaces().filter(RouterSdkRoutingTest::usable)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
    }

    private static boolean usable(NetworkInterface n) {
        try {
            return n.isUp() && !n.isLoopback();
        } catch (IOException e) {
            return false;
        }
    }
}
