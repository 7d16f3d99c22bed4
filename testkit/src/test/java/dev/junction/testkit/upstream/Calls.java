package dev.junction.testkit.upstream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Requests, JSON look-ups and event-stream reading shared by the fake upstream's tests. */
final class Calls {
    private Calls() {}

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A chat request body for "say hello to the world" (5 prompt words); {@code maxTokens} 0 leaves it out. */
    static String chat(boolean stream, boolean includeUsage, int maxTokens) {
        return "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"say hello  world\"}]"
                + (maxTokens > 0 ? ",\"max_tokens\":" + maxTokens : "")
                + (stream ? ",\"stream\":true" : "")
                + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "") + "}";
    }

    static HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build();
    }

    static URI chatUri(FakeUpstream up) {
        return URI.create(up.openAiBaseUri() + "/chat/completions");
    }

    static HttpResponse<String> postChat(HttpClient client, FakeUpstream up, String body)
            throws IOException, InterruptedException {
        return client.send(post(chatUri(up), body), HttpResponse.BodyHandlers.ofString());
    }

    /** The value at {@code path} (member names and list indexes) in parsed JSON text. */
    static Object at(String json, Object... path) {
        Object node = Json.parse(json);
        for (Object step : path) {
            node = step instanceof Integer i ? ((List<?>) node).get(i) : ((Map<?, ?>) node).get(step);
        }
        return node;
    }

    /** The events of a stream as far as it went, and how it ended when it did not end cleanly. */
    record Stream(List<String> events, Optional<IOException> failure) {
        boolean done() {
            return !events.isEmpty() && events.getLast().equals("[DONE]");
        }

        /** The text of the token events, concatenated. */
        String content() {
            StringBuilder b = new StringBuilder();
            for (String e : events) {
                if (e.equals("[DONE]")) continue;
                Object choices = at(e, "choices");
                if (((List<?>) choices).isEmpty()) continue;
                Object delta = at(e, "choices", 0, "delta");
                Object piece = delta instanceof Map<?, ?> d ? d.get("content") : at(e, "choices", 0, "text");
                if (piece instanceof String s) b.append(s);
            }
            return b.toString();
        }
    }

    /** Reads {@code data:} payloads until the body ends or fails. */
    static Stream readEvents(InputStream body) {
        List<String> events = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data: ")) events.add(line.substring(6));
            }
            return new Stream(events, Optional.empty());
        } catch (IOException e) {
            return new Stream(events, Optional.of(e));
        }
    }

    /** The payload of the next event, reading one line at a time. */
    static String nextEvent(BufferedReader lines) throws IOException {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("data: ")) return line.substring(6);
        }
        throw new IOException("the stream ended");
    }
}
