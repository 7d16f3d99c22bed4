package dev.junction.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.completions.CompletionCreateParams;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.router.SupplierRouter;
import dev.junction.router.SuppliersView;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.TestModels;
import dev.junction.testkit.upstream.FakeUpstream;
import dev.junction.testkit.upstream.ReceivedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The router as applications meet it, as {@link RouterSdkWireTest}, {@link RouterSdkErrorsTest} and
 * {@link RouterSdkRoutingTest} use it: {@code serve --config junction.yaml} (through {@link Serving#startRouted}) over
 * fake upstreams — an {@code openai} supplier, an {@code azure-openai} one and a few more, each a real HTTP server that
 * records what it received and fails on demand — and the local engine with the embedded model, used through the
 * official OpenAI Java SDK. Started before each of those classes and closed after it; with the requests the tests send,
 * and helpers that read the answers, the admin view, {@code /metrics} and the log.
 * <p>
 * Each test has its own public model (and where it needs faults, its own upstream), so the tests do not depend on each
 * other's traffic; after each, nothing may be left in flight and no log line may show a credential.
 */
abstract class RouterSdkFixture {
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
        synchronized (log) {
            log.list.clear(); // the appender is shared: drop the lines of a class that ran before this one
        }
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
}
