package dev.junction.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.router.SupplierRouter;
import dev.junction.router.SuppliersView;
import dev.junction.server.ServerConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code junction serve --config junction.yaml} started in-process on a file the test writes, with no local models
 * (every supplier is another process), and plain HTTP/1.1 calls to its public models. Each call has a deadline for
 * its whole answer, so a call that hangs fails instead of holding the test.
 */
final class RoutedServe implements AutoCloseable {
    static final Duration CALL_DEADLINE = Duration.ofSeconds(90);
    /** Strict: a body with anything after its JSON value (a second answer) does not read. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One answer as the client saw it: status, the router's two headers, and the body. */
    record Answer(int status, String supplier, int attempts, String body) {
        /** The {@code data:} payloads of an event stream, in order ({@code [DONE]} included). */
        List<String> events() {
            List<String> data = new ArrayList<>();
            for (String line : body.split("\n")) {
                if (line.startsWith("data: ")) data.add(line.substring("data: ".length()).strip());
            }
            return data;
        }

        JsonNode json() {
            return RoutedServe.json(body);
        }
    }

    private final Serving serving;
    private final HttpClient http;

    private RoutedServe(Serving serving) {
        this.serving = serving;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Writes {@code yaml} as {@code junction.yaml} in {@code dir} and serves it on a free port. */
    static RoutedServe start(Path dir, String yaml) throws Exception {
        Path file = Files.writeString(Files.createDirectories(dir).resolve("junction.yaml"), yaml);
        return new RoutedServe(Serving.startRouted(file, Map.of(), List.of(), EngineConfig.defaults(),
                ServerConfig.defaults().withPort(0), 1, false, new PrintWriter(new StringWriter())));
    }

    /**
     * A {@code suppliers:} section naming each process {@code s0}, {@code s1}, …: an {@code openai} supplier at its
     * URL, with timeouts that catch a hang well within {@link #CALL_DEADLINE}, and its {@code terms} (more keys, e.g.
     * {@code max_concurrent: 2}) where not empty.
     */
    static String suppliers(SupplierProcesses processes, String... terms) {
        StringBuilder yaml = new StringBuilder("suppliers:\n");
        for (int i = 0; i < terms.length; i++) {
            yaml.append("  s").append(i).append(": {kind: openai, url: ").append(processes.apiBase(i))
                    .append(", timeouts: {connect: 2s, first_token: 30s, idle: 30s, total: 60s}")
                    .append(terms[i].isEmpty() ? "" : ", " + terms[i]).append("}\n");
        }
        return yaml.toString();
    }

    /**
     * A {@code models:} section of one public model over the processes' model; each deployment is written in braces
     * naming its supplier and whatever else, e.g. {@code {supplier: s0, tier: 1}}.
     */
    static String model(String name, String strategy, String... deployments) {
        StringBuilder yaml = new StringBuilder("models:\n  " + name + ":\n    strategy: " + strategy
                + "\n    deployments:\n");
        for (String d : deployments) {
            yaml.append("      - {model: ").append(SupplierProcesses.MODEL).append(", ").append(d, 1, d.length())
                    .append('\n');
        }
        return yaml.toString();
    }

    SupplierRouter router() {
        return serving.router().orElseThrow();
    }

    URI baseUri() {
        return serving.baseUri();
    }

    /** A {@code /v1/completions} call of {@code model} with greedy sampling. */
    CompletableFuture<Answer> complete(String model, String prompt, int maxTokens, boolean stream) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("prompt", prompt)
                .put("max_tokens", maxTokens).put("temperature", 0).put("stream", stream);
        return post("/v1/completions", body);
    }

    /** A plain completion, waited for; its status must be 200. */
    Answer completeOk(String model, String prompt, int maxTokens) {
        return ok(complete(model, prompt, maxTokens, false).join());
    }

    /** A {@code /v1/chat/completions} call of {@code model}: a system prompt and one user message. */
    CompletableFuture<Answer> chat(String model, String system, String user, int maxTokens) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("max_tokens", maxTokens)
                .put("temperature", 0);
        body.putArray("messages").add(JSON.createObjectNode().put("role", "system").put("content", system))
                .add(JSON.createObjectNode().put("role", "user").put("content", user));
        return post("/v1/chat/completions", body);
    }

    /** {@code a}, whose status must be 200. */
    static Answer ok(Answer a) {
        if (a.status() != 200) throw new AssertionError("status " + a.status() + ": " + a.body());
        return a;
    }

    /** The router's view of {@code model}'s deployment on {@code supplier}. */
    SuppliersView.DeploymentView deployment(String model, String supplier) {
        return router().view().deployments().stream()
                .filter(d -> d.model().equals(model) && d.supplier().equals(supplier)).findFirst().orElseThrow();
    }

    /** Polls that deployment's view until {@code condition} holds; fails after {@code timeout}. */
    void await(String model, String supplier, String what, Duration timeout,
               Predicate<SuppliersView.DeploymentView> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (SuppliersView.DeploymentView d; ; Thread.sleep(50)) {
            d = deployment(model, supplier);
            if (condition.test(d)) return;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after " + timeout.toSeconds() + " s, " + model + " on " + supplier
                        + " is still not " + what + ": " + d);
            }
        }
    }

    private CompletableFuture<Answer> post(String path, ObjectNode body) {
        HttpRequest request = HttpRequest.newBuilder(baseUri().resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .orTimeout(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(r -> new Answer(r.statusCode(), r.headers().firstValue("x-junction-supplier").orElse(""),
                        r.headers().firstValue("x-junction-attempts").map(Integer::parseInt).orElse(0), r.body()));
    }

    /** Runs {@code call(0)} … {@code call(n − 1)}, {@code concurrency} at a time; their results, in that order. */
    static <T> List<T> concurrently(int n, int concurrency, IntFunction<T> call)
            throws InterruptedException, ExecutionException {
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(pool.submit(() -> call.apply(k)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) results.add(f.get());
            return results;
        }
    }

    /** How many answers each supplier gave, by name. */
    static SortedMap<String, Long> bySupplier(Collection<Answer> answers) {
        return answers.stream().collect(Collectors.groupingBy(Answer::supplier, TreeMap::new, Collectors.counting()));
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
        serving.close();
    }
}
