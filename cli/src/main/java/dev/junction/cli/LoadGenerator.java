package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * A closed-loop load generator for an OpenAI-compatible server: {@code concurrency} clients each send streaming
 * {@code /v1/completions} requests back to back until {@code requests} have been sent, and every streamed chunk is
 * timed on arrival. From that: requests/s, output tokens/s, time to first token and inter-token latency percentiles —
 * the figures vLLM's and llama.cpp's serving benchmarks report. Works against any server speaking the API.
 */
final class LoadGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] OPENINGS = {
            "Once upon a time, there was a little", "One day, a boy named Tom went to the", "The sun was shining and",
            "Lily wanted to play with her", "There was a big red ball in the", "A little bird lived in a tree near the",
            "Sam and his mom went to the store to buy", "The cat was very hungry, so it", "In a small house by the sea,",
            "Max found a shiny key under the", "Mia loved to draw pictures of", "The dog ran fast to catch the",
            "Ben had a toy car that", "It was a rainy day, and Sue", "A kind old man gave the children",
            "The princess looked out of the window and saw"};

    /** What one level of concurrency measured. Latencies in milliseconds. */
    record Result(int concurrency, int requests, int failed, double seconds, long outputTokens,
                  double ttftP50, double ttftP99, double itlP50, double itlP99) {
        double requestsPerSecond() {
            return (requests - failed) / seconds;
        }

        double outputTokensPerSecond() {
            return outputTokens / seconds;
        }
    }

    private final HttpClient http;
    private final URI completions;
    private final String model;
    private final int maxTokens;
    private final LongSupplier nanoTime;

    LoadGenerator(URI baseUrl, String model, int maxTokens, LongSupplier nanoTime) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(10)).build();
        this.completions = baseUrl.resolve("/v1/completions");
        this.model = model;
        this.maxTokens = maxTokens;
        this.nanoTime = nanoTime;
    }

    /** The first model the server lists at {@code /v1/models}. */
    static String firstModel(URI baseUrl) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(baseUrl.resolve("/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("GET /v1/models answered " + r.statusCode());
            JsonNode data = JSON.readTree(r.body()).path("data");
            if (data.isEmpty()) throw new IllegalStateException("the server lists no model");
            return data.get(0).path("id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + baseUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Runs {@code requests} requests with {@code concurrency} clients and measures them. */
    Result run(int concurrency, int requests) throws InterruptedException {
        AtomicInteger next = new AtomicInteger(), failed = new AtomicInteger();
        ConcurrentLinkedQueue<Timing> timings = new ConcurrentLinkedQueue<>();
        long start = nanoTime.getAsLong();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < concurrency; c++) {
                clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        Timing t = send(i);
                        if (t == null) failed.incrementAndGet();
                        else timings.add(t);
                    }
                });
            }
        }
        double seconds = (nanoTime.getAsLong() - start) / 1e9;
        long tokens = 0;
        List<Double> ttft = new ArrayList<>(), itl = new ArrayList<>();
        for (Timing t : timings) {
            tokens += t.tokens;
            ttft.add(t.ttftMillis);
            for (double d : t.itlMillis) itl.add(d);
        }
        return new Result(concurrency, requests, failed.get(), seconds, tokens, percentile(ttft, 50),
                percentile(ttft, 99), percentile(itl, 50), percentile(itl, 99));
    }

    private record Timing(double ttftMillis, double[] itlMillis, long tokens) {
    }

    /** One streaming request; null when it failed. */
    private Timing send(int index) {
        String prompt = OPENINGS[index % OPENINGS.length];
        Map<String, Object> body = Map.of("model", model, "prompt", prompt, "max_tokens", maxTokens,
                "temperature", 0.8, "seed", index, "stream", true, "stream_options", Map.of("include_usage", true));
        try {
            HttpRequest request = HttpRequest.newBuilder(completions).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
            long sent = nanoTime.getAsLong();
            HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                response.body().close();
                return null;
            }
            long previous = 0, chunks = 0, usageTokens = -1;
            double ttft = -1;
            double[] itl = new double[Math.max(16, maxTokens)];
            int gaps = 0;
            try (Stream<String> lines = response.body()) {
                for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                    String line = it.next();
                    if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
                    long now = nanoTime.getAsLong();
                    JsonNode chunk = JSON.readTree(line.substring(6));
                    if (chunk.has("error")) return null;
                    if (chunk.path("usage").has("completion_tokens")) {
                        usageTokens = chunk.path("usage").path("completion_tokens").asLong();
                    }
                    JsonNode choices = chunk.path("choices");
                    if (choices.isEmpty() || choices.get(0).path("text").asText("").isEmpty()) continue;
                    if (ttft < 0) ttft = (now - sent) / 1e6;
                    else {
                        if (gaps == itl.length) itl = Arrays.copyOf(itl, gaps * 2);
                        itl[gaps++] = (now - previous) / 1e6;
                    }
                    previous = now;
                    chunks++;
                }
            }
            if (ttft < 0) ttft = (nanoTime.getAsLong() - sent) / 1e6; // nothing but an end: time to the end
            return new Timing(ttft, Arrays.copyOf(itl, gaps), usageTokens >= 0 ? usageTokens : chunks);
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Nearest-rank percentile; NaN for no values. */
    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) return Double.NaN;
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
