package dev.junction.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.router.SupplierRouter;
import dev.junction.router.SuppliersView;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.TestModels;
import dev.junction.testkit.upstream.Canned;
import dev.junction.testkit.upstream.Echo;
import dev.junction.testkit.upstream.EventGate;
import dev.junction.testkit.upstream.FakeUpstream;
import dev.junction.testkit.upstream.ReceivedRequest;
import dev.junction.testkit.upstream.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The router as applications meet it: {@code serve --config junction.yaml} (through {@link Serving#startRouted})
 * over fake upstreams — an {@code openai} supplier, an {@code azure-openai} one and a few more, each a real HTTP
 * server that records what it received and fails on demand — and the local engine with the embedded model, used
 * through the official OpenAI Java SDK. Each test has its own public model (and where it needs faults, its own
 * upstream), so the tests do not depend on each other's traffic; after each, nothing may be left in flight and no
 * log line may show a credential.
 */
class RouterSdkTest {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final String S1_KEY = "sk-s1-secret-for-tests";
    static final String AZURE_KEY = "azure-secret-for-tests";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static FakeUpstream s1, azure, flaky, narrow, downA, downB, silent, held;
    static Serving serving;
    static SupplierRouter router;
    static OpenAIClient openai;
    static HttpClient http;
    static final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        s1 = FakeUpstream.start();
        azure = FakeUpstream.start();
        flaky = FakeUpstream.start();
        narrow = FakeUpstream.start();
        downA = FakeUpstream.start();
        downB = FakeUpstream.start();
        silent = FakeUpstream.start();
        held = FakeUpstream.start();
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                suppliers:
                  local: {kind: local, models: {stories: embedded}}
                  s1:
                    kind: openai
                    url: "%s"
                    api_key: ${S1_KEY}
                    rpm: 6000
                    tpm: 2000000
                    price: {input: 0.10, output: 0.40}
                  az:
                    kind: azure-openai
                    url: "%s"
                    api_version: 2024-10-21
                    api_key: ${AZURE_KEY}
                  flaky: {kind: openai, url: "%s"}
                  narrow: {kind: openai, url: "%s", max_concurrent: 1}
                  down-a: {kind: openai, url: "%s"}
                  down-b: {kind: openai, url: "%s"}
                  silent: {kind: openai, url: "%s", timeouts: {connect: 2s, first_token: 2s, idle: 2s, total: 2s}}
                  held: {kind: openai, url: "%s"}
                models:
                  tiny: {deployments: [{supplier: s1, model: up-tiny}]}
                  metered: {deployments: [{supplier: s1, model: up-metered}]}
                  viewed: {deployments: [{supplier: s1, model: up-viewed}]}
                  canned: {deployments: [{supplier: s1, model: up-canned}]}
                  refused: {deployments: [{supplier: s1, model: up-refused}]}
                  azure-tiny: {deployments: [{supplier: az, model: gpt-4o-mini-prod}]}
                  mixed:
                    strategy: priority
                    deployments:
                      - {supplier: local, model: stories, tier: 1}
                      - {supplier: s1, model: up-mixed, tier: 2}
                  local-only: {deployments: [{supplier: local, model: stories}]}
                  failover:
                    deployments:
                      - {supplier: flaky, model: up-failover, tier: 1}
                      - {supplier: s1, model: up-failover, tier: 2}
                  full: {deployments: [{supplier: narrow, model: up-full}]}
                  full-too: {deployments: [{supplier: narrow, model: up-full-too}]}
                  down:
                    deployments:
                      - {supplier: down-a, model: up-down, tier: 1}
                      - {supplier: down-b, model: up-down, tier: 2}
                  slow: {deployments: [{supplier: silent, model: up-slow}]}
                  held: {deployments: [{supplier: held, model: up-held}]}
                """.formatted(s1.openAiBaseUri(), azure.baseUri(), flaky.openAiBaseUri(), narrow.openAiBaseUri(),
                downA.openAiBaseUri(), downB.openAiBaseUri(), silent.openAiBaseUri(), held.openAiBaseUri()));
        ((Logger) LoggerFactory.getLogger("dev.junction")).addAppender(log);
        log.start();
        serving = Serving.startRouted(config, Map.of("S1_KEY", S1_KEY, "AZURE_KEY", AZURE_KEY),
                List.of(new Serving.NamedModel("stories", TestModels.stories260K())),
                EngineConfig.defaults().withContextLength(256), ServerConfig.defaults().withHost("127.0.0.1")
                        .withPort(0), 1, false, new PrintWriter(new StringWriter()));
        router = serving.router().orElseThrow();
        openai = OpenAiSdk.client(serving.baseUri());
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (openai != null) openai.close();
        if (http != null) http.close();
        if (serving != null) serving.close();
        ((Logger) LoggerFactory.getLogger("dev.junction")).detachAppender(log);
        for (FakeUpstream up : new FakeUpstream[] {s1, azure, flaky, narrow, downA, downB, silent, held}) {
            if (up != null) up.close();
        }
    }

    /** Every request has ended (no reservation or in-flight count left behind), and no credential was logged. */
    @AfterEach
    void nothingIsLeftInFlightAndNoSecretIsLogged() throws InterruptedException {
        assertThat(eventually(() -> router.view().deployments().stream()
                .allMatch(d -> d.inFlight() == 0 && d.contract().concurrent() == 0)))
                .as("in flight: %s", router.view().deployments()).isTrue();
        assertThat(logged()).noneMatch(line -> line.contains(S1_KEY) || line.contains(AZURE_KEY));
    }

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

    // --- errors

    @Test
    void anUnknownModelIsNotFound() {
        var error = catchThrowableOfType(NotFoundException.class,
                () -> openai.chat().completions().create(chat("no-such-model").build()));

        assertThat(error.statusCode()).isEqualTo(404);
        assertThat(error.code()).contains("model_not_found");
        assertThat(error.getMessage()).contains("no-such-model");
    }

    @Test
    void aMalformedBodyIsABadRequest() throws Exception {
        long before = completionsReceived(s1);
        Map<String, String> bodies = Map.of(
                "not JSON", "{\"model\":\"tiny\",\"messages\":[",
                "not an object", "[{\"model\":\"tiny\"}]",
                "no model", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "a model that is no string", "{\"model\":7,\"messages\":[]}");
        for (var body : bodies.entrySet()) {
            HttpResponse<String> r = post("/v1/chat/completions", body.getValue());
            assertThat(r.statusCode()).as(body.getKey()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("error").path("type").asText()).as(body.getKey())
                    .isEqualTo("invalid_request_error");
        }
        assertThat(completionsReceived(s1)).isEqualTo(before);
    }

    @Test
    void whenEveryDeploymentIsFullTheAnswerIs429WithRetryAfter() throws Exception {
        EventGate gate = new EventGate();
        narrow.fault(Fault.gated(gate));
        RateLimitException refused;
        RateLimitException refusedToo;
        ChatCompletion served;
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<ChatCompletion> holding = clients.submit(() -> openai.chat().completions()
                    .create(chat("full").build()));
            try {
                assertThat(eventually(() -> completionsReceived(narrow) == 1)).isTrue(); // it holds the one place
                refused = catchThrowableOfType(RateLimitException.class,
                        () -> openai.chat().completions().create(chat("full").build()));
                // the contract is the supplier's: another model on it finds it full too
                refusedToo = catchThrowableOfType(RateLimitException.class,
                        () -> openai.chat().completions().create(chat("full-too").build()));
            } finally {
                gate.open();
                narrow.healthy();
            }
            served = holding.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refusedToo.statusCode()).isEqualTo(429);
        assertThat(refused.code()).contains("rate_limit_exceeded");
        assertThat(Integer.parseInt(refused.headers().values("Retry-After").getFirst())).isPositive();
        assertThat(served.choices()).hasSize(1);
        assertThat(completionsReceived(narrow)).isEqualTo(1); // the refused request never reached the supplier
        assertThat(metric("junction_router_requests_total", "model", "full", "outcome", "success")).isEqualTo(1);
        assertThat(metric("junction_router_requests_total", "model", "full")).isEqualTo(1);
    }

    @Test
    void anUpstreamsRefusalIsA400ThatNeverShowsItsBody() throws Exception {
        s1.fault(Fault.http(400)).times(2);
        try {
            var error = catchThrowableOfType(BadRequestException.class,
                    () -> openai.chat().completions().create(chat("refused").build()));
            assertThat(error.statusCode()).isEqualTo(400);
            assertThat(error.getMessage()).doesNotContain(FakeUpstream.INTERNAL_MARKER);
            assertThat(error.headers().values("x-junction-supplier")).containsExactly("s1");
            assertThat(error.headers().values("x-junction-attempts")).containsExactly("1");

            HttpResponse<String> raw = post("/v1/chat/completions", "{\"model\":\"refused\",\"messages\":[]}");
            assertThat(raw.statusCode()).isEqualTo(400);
            assertThat(raw.body()).doesNotContain(FakeUpstream.INTERNAL_MARKER);
            assertThat(JSON.readTree(raw.body()).path("error").path("message").asText()).isNotEmpty();
        } finally {
            s1.healthy();
        }
        // the log says which supplier answered what (its credentials are checked after each test)
        assertThat(logged()).anyMatch(line -> line.contains("supplier s1") && line.contains("status 400"));
    }

    @Test
    void aFailureBeforeTheAnswerFailsOverAndTheHeadersSaySo() {
        flaky.fault(Fault.http(500)).times(2);
        try {
            HttpResponseFor<ChatCompletion> plain = openai.chat().completions().withRawResponse()
                    .create(chat("failover").build());
            assertRouted(plain, "s1", 2);
            assertThat(plain.parse().model()).isEqualTo("up-failover");

            HttpResponseFor<StreamResponse<ChatCompletionChunk>> streamed = openai.chat().completions()
                    .withRawResponse().createStreaming(chat("failover").build());
            assertRouted(streamed, "s1", 2);
            assertThat(content(OpenAiSdk.drain(streamed.parse()))).isEqualTo("tok0 tok1 tok2 tok3 ");
        } finally {
            flaky.healthy();
        }
        assertThat(completionsReceived(flaky)).isEqualTo(2);
        assertThat(metric("junction_router_retries_total", "model", "failover")).isEqualTo(2);
        assertThat(metric("junction_router_requests_total", "model", "failover", "supplier", "flaky",
                "outcome", "failed_before_answer")).isEqualTo(2);
        assertThat(metric("junction_router_requests_total", "model", "failover", "supplier", "s1",
                "outcome", "success")).isEqualTo(2);
        assertThat(metric("junction_router_requests_total", "model", "failover")).isEqualTo(4);
    }

    @Test
    void withEverySupplierDownTheAnswersAre502ThenOnceTheBreakersOpen503() throws Exception {
        downA.stop();
        downB.stop();
        try {
            var first = catchThrowableOfType(InternalServerException.class,
                    () -> openai.chat().completions().create(chat("down").build()));
            assertThat(first.statusCode()).isEqualTo(502);
            assertThat(first.code()).contains("upstream_error");
            assertThat(first.type()).contains("server_error");
            assertThat(first.headers().values("x-junction-supplier")).containsExactly("down-b");
            assertThat(first.headers().values("x-junction-attempts")).containsExactly("2");

            List<Integer> statuses = new ArrayList<>(List.of(502));
            while (statuses.getLast() != 503 && statuses.size() < 20) {
                var error = catchThrowableOfType(InternalServerException.class,
                        () -> openai.chat().completions().create(chat("down").build()));
                assertThat(error.type()).contains("server_error");
                assertThat(error.getMessage()).contains("'down'");
                statuses.add(error.statusCode());
            }
            System.out.println("statuses with every supplier down: " + statuses);
            assertThat(statuses).containsOnly(502, 503).endsWith(503);
            // each 502 tried both suppliers once; the 503 tried none
            long tried = statuses.stream().filter(s -> s == 502).count() * 2;
            assertThat(metric("junction_router_requests_total", "model", "down", "outcome", "failed_before_answer"))
                    .isEqualTo(tried);
            assertThat(metric("junction_router_requests_total", "model", "down")).isEqualTo(tried);
        } finally {
            downA.restart();
            downB.restart();
        }
        assertThat(completionsReceived(downA) + completionsReceived(downB)).isZero();
    }

    @Test
    void aSupplierThatNeverAnswersIsA504() {
        silent.fault(Fault.neverAnswer());
        try {
            var error = catchThrowableOfType(InternalServerException.class,
                    () -> openai.chat().completions().create(chat("slow").build()));

            assertThat(error.statusCode()).isEqualTo(504);
            assertThat(error.code()).contains("upstream_error");
            assertThat(error.headers().values("x-junction-supplier")).containsExactly("silent");
        } finally {
            silent.healthy();
        }
    }

    @Test
    void aClientThatLeavesBeforeItsAnswerMakesTheRouterDropTheUpstreamCall() throws Exception {
        held.fault(Fault.neverAnswer()); // only the router hanging up ends the upstream's connection
        try {
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), serving.port())) {
                client.getOutputStream().write(RawHttp.post("/v1/chat/completions",
                        "{\"model\":\"held\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
                assertThat(eventually(() -> completionsReceived(held) == 1)).isTrue();
                assertThat(deployment("held", "held").inFlight()).isEqualTo(1);
            }

            assertThat(held.awaitConnectionClosed(lastCompletion(held).connection(), DEADLINE)).isTrue();
            assertThat(eventually(() -> metricOrZero("junction_router_requests_total", "model", "held",
                    "outcome", "client_gone") == 1)).isTrue();
            assertThat(metricOrZero("junction_router_requests_total", "model", "held")).isEqualTo(1);
        } finally {
            held.healthy();
        }
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

    // --- requests

    static final ChatCompletionFunctionTool WEATHER = ChatCompletionFunctionTool.builder()
            .function(FunctionDefinition.builder().name("get_weather").description("The weather in a city")
                    .parameters(FunctionParameters.builder()
                            .putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty("properties", JsonValue.from(Map.of("city",
                                    Map.of("type", "string"))))
                            .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                            .build())
                    .strict(true).build())
            .build();

    /** Three words of prompt, four tokens of answer (from a fake upstream). */
    static ChatCompletionCreateParams.Builder chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("hello there world")
                .maxCompletionTokens(4);
    }

    /** Four words of prompt, four tokens of answer (from a fake upstream). */
    static CompletionCreateParams.Builder complete(String model) {
        return CompletionCreateParams.builder().model(model).prompt("once upon a time").maxTokens(4);
    }

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

    // --- reading answers

    static String content(List<ChatCompletionChunk> chunks) {
        return chunks.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
                .collect(Collectors.joining());
    }

    static void assertRouted(HttpResponseFor<?> response, String supplier, int attempts) {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().values("x-junction-supplier")).containsExactly(supplier);
        assertThat(response.headers().values("x-junction-attempts")).containsExactly(Integer.toString(attempts));
    }

    /** The completions an upstream received, oldest first (the router's probes left out). */
    static List<ReceivedRequest> completions(FakeUpstream up) {
        return up.requests().stream().filter(r -> r.method().equals("POST")).toList();
    }

    static long completionsReceived(FakeUpstream up) {
        return completions(up).size();
    }

    static ReceivedRequest lastCompletion(FakeUpstream up) {
        return completions(up).getLast();
    }

    static SuppliersView.DeploymentView deployment(String model, String supplier) {
        return router.view().deployments().stream()
                .filter(d -> d.model().equals(model) && d.supplier().equals(supplier)).findFirst().orElseThrow();
    }

    static HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(serving.baseUri().resolve(path)).GET());
    }

    static HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(serving.baseUri().resolve(path)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sum of the samples of {@code name} on {@code /metrics} with these labels (name, value, ...); one must exist. */
    static double metric(String name, String... labels) {
        return samples(name, labels).stream().mapToDouble(Double::doubleValue).reduce(Double::sum)
                .orElseThrow(() -> new AssertionError("no sample of " + name + " " + List.of(labels)));
    }

    static double metricOrZero(String name, String... labels) {
        return samples(name, labels).stream().mapToDouble(Double::doubleValue).sum();
    }

    private static List<Double> samples(String name, String... labels) {
        Set<String> wanted = new HashSet<>();
        for (int i = 0; i < labels.length; i += 2) wanted.add(labels[i] + "=\"" + labels[i + 1] + "\"");
        List<Double> values = new ArrayList<>();
        for (String line : get("/metrics").body().split("\n")) {
            if (!line.startsWith(name + "{")) continue;
            Set<String> present = Set.of(line.substring(name.length() + 1, line.lastIndexOf('}')).split(","));
            if (present.containsAll(wanted)) values.add(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        }
        return values;
    }

    static List<String> logged() {
        synchronized (log) {
            return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(10);
        }
        return true;
    }

    static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        return NetworkInterface.networkInterfaces().filter(RouterSdkTest::usable)
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
