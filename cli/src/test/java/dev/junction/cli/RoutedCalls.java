package dev.junction.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Calls of a routed model over real HTTP (the JDK's client), each read strictly into the one way it ended. The
 * upstreams behind the router are fake ones, so every answer's text is known: {@code "tok0 tok1 … "}, as many tokens
 * as asked for.
 */
final class RoutedCalls implements AutoCloseable {
    static final String SUPPLIER_HEADER = "x-junction-supplier";
    static final String ATTEMPTS_HEADER = "x-junction-attempts";
    /** The statuses an OpenAI-shaped router error may have when no supplier answered. */
    static final Set<Integer> ROUTER_ERRORS = Set.of(429, 502, 503, 504);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One request: which API, streamed or not (with the usage chunk or not), and how many tokens. */
    record Ask(boolean chat, boolean stream, boolean usage, int maxTokens) {
        /** The i-th of a mix cycling through chat and text completions, plain, streamed, streamed with usage. */
        static Ask mixed(int i, int maxTokens) {
            return switch (i % 6) {
                case 0 -> new Ask(true, false, false, maxTokens);
                case 1 -> new Ask(true, true, false, maxTokens);
                case 2 -> new Ask(true, true, true, maxTokens);
                case 3 -> new Ask(false, false, false, maxTokens);
                case 4 -> new Ask(false, true, false, maxTokens);
                default -> new Ask(false, true, true, maxTokens);
            };
        }

        String path() {
            return chat ? "/v1/chat/completions" : "/v1/completions";
        }

        String body(String model) {
            String input = chat ? "\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]"
                    : "\"prompt\":\"hello there\"";
            String streaming = !stream ? "" : usage ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"
                    : ",\"stream\":true";
            return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + streaming + "," + input + "}";
        }

        /** What a fake upstream answers. */
        String text() {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < maxTokens; i++) text.append("tok").append(i).append(' ');
            return text.toString();
        }
    }

    /** How a call ended; every call ends exactly one of these ways. */
    enum Outcome {
        /** 200 with the whole answer as one JSON object. */
        ANSWERED,
        /** 200 with a stream of well-formed chunks carrying the whole answer, then {@code [DONE]}. */
        STREAMED,
        /** 200 with a stream of well-formed chunks, then an error event, then {@code [DONE]}. */
        STREAM_ERROR,
        /** An OpenAI-shaped error with one of {@link #ROUTER_ERRORS}. */
        ERROR_STATUS,
        /** No answer within the client's timeout. */
        TIMED_OUT,
        /** Anything else: the detail says what. */
        BROKEN;

        boolean succeeded() {
            return this == ANSWERED || this == STREAMED;
        }
    }

    /**
     * @param supplier the router's {@code x-junction-supplier}, empty when it named none
     * @param attempts the router's {@code x-junction-attempts}, 0 when it made none
     */
    record Ending(Outcome outcome, int status, String supplier, int attempts, String detail) {
        static Ending of(Outcome outcome, String detail) {
            return new Ending(outcome, 0, "", 0, detail);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String model;
    private final Duration timeout;

    /** @param timeout how long a call may take, its whole answer read; longer counts as {@link Outcome#TIMED_OUT} */
    RoutedCalls(URI base, String model, Duration timeout) {
        this.base = base;
        this.model = model;
        this.timeout = timeout;
    }

    /** Sends {@code ask} and waits for its whole answer. */
    Ending call(Ask ask) throws InterruptedException {
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(request(ask),
                HttpResponse.BodyHandlers.ofString());
        try {
            return read(ask, answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            answer.cancel(true);
            return Ending.of(Outcome.TIMED_OUT, ask + ": no answer within " + timeout);
        } catch (ExecutionException e) {
            return Ending.of(Outcome.BROKEN, ask + ": the call failed: " + e.getCause());
        }
    }

    /** Sends {@code ask} and hands back its answer as it arrives, line by line (for streams kept open). */
    CompletableFuture<HttpResponse<Stream<String>>> open(Ask ask) {
        return http.sendAsync(request(ask), HttpResponse.BodyHandlers.ofLines());
    }

    private HttpRequest request(Ask ask) {
        return HttpRequest.newBuilder(base.resolve(ask.path())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ask.body(model))).build();
    }

    /** How the answer to {@code ask} ended, from its status, headers and body. */
    static Ending read(Ask ask, HttpResponse<String> response) {
        return read(ask, response, response.body().lines().toList());
    }

    /** As {@link #read(Ask, HttpResponse)}, with the body's lines read separately. */
    static Ending read(Ask ask, HttpResponse<?> response, List<String> lines) {
        int status = response.statusCode();
        String supplier = response.headers().firstValue(SUPPLIER_HEADER).orElse("");
        int attempts = response.headers().firstValue(ATTEMPTS_HEADER).map(Integer::parseInt).orElse(0);
        String type = response.headers().firstValue("content-type").orElse("");
        String body = String.join("\n", lines);
        Verdict v;
        if (status == 200 && type.startsWith("text/event-stream")) {
            v = stream(ask, lines);
        } else if (status == 200) {
            v = answer(ask, body);
        } else if (ROUTER_ERRORS.contains(status)) {
            v = error(parse(body)) ? new Verdict(Outcome.ERROR_STATUS, "")
                    : broken("a " + status + " that is no OpenAI error: " + body);
        } else {
            v = broken("status " + status + ": " + body);
        }
        String detail = v.detail().isEmpty() ? "" : ask + ": " + v.detail();
        return new Ending(v.outcome(), status, supplier, attempts, detail);
    }

    private record Verdict(Outcome outcome, String detail) {
    }

    private static Verdict broken(String why) {
        return new Verdict(Outcome.BROKEN, why);
    }

    private static Verdict answer(Ask ask, String body) {
        JsonNode json = parse(body);
        if (json == null || !json.isObject()) return broken("a 200 that is no JSON object: " + body);
        JsonNode choice = json.path("choices").path(0);
        String text = (ask.chat() ? choice.path("message").path("content") : choice.path("text")).asText(null);
        return ask.text().equals(text) ? new Verdict(Outcome.ANSWERED, "")
                : broken("an answer with other text: " + body);
    }

    /**
     * A stream: {@code data:} events of JSON objects and {@code [DONE]} last, once. An error event may only come
     * right before {@code [DONE]}; the text before it is a start of the answer, never more (nothing is replayed); a
     * stream without one carries the whole answer, with the usage chunk exactly when it was asked for.
     */
    private static Verdict stream(Ask ask, List<String> lines) {
        List<String> events = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("data: ")) events.add(line.substring("data: ".length()));
            else if (!line.isEmpty()) return broken("a line that is no event: " + line);
        }
        if (events.isEmpty() || !events.getLast().equals("[DONE]") || events.indexOf("[DONE]") != events.size() - 1) {
            return broken("a stream not ended by one [DONE]: " + events);
        }
        StringBuilder text = new StringBuilder();
        boolean usage = false;
        for (int i = 0; i < events.size() - 1; i++) {
            JsonNode chunk = parse(events.get(i));
            if (chunk == null || !chunk.isObject()) return broken("a chunk that is no JSON: " + events);
            if (error(chunk)) {
                return i == events.size() - 2 && ask.text().startsWith(text.toString())
                        ? new Verdict(Outcome.STREAM_ERROR, "")
                        : broken("an error event amid the stream: " + events);
            }
            JsonNode choice = chunk.path("choices").path(0);
            text.append((ask.chat() ? choice.path("delta").path("content") : choice.path("text")).asText(""));
            usage |= chunk.path("usage").isObject();
        }
        if (!text.toString().equals(ask.text())) return broken("a stream with other text: " + events);
        if (usage != ask.usage()) return broken("usage chunk " + usage + " when asked " + ask.usage());
        return new Verdict(Outcome.STREAMED, "");
    }

    /** {@code {"error":{"message":…}}}. */
    private static boolean error(JsonNode json) {
        return json != null && json.path("error").path("message").isTextual();
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
