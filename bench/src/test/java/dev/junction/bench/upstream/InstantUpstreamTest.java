package dev.junction.bench.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InstantUpstreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static InstantUpstream upstream;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = InstantUpstream.start("127.0.0.1", 0);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        upstream.close();
    }

    @Test
    void answersAChatCompletionForTheModelAsked() throws Exception {
        HttpResponse<String> answer = post("/chat/completions", "{\"model\":\"m-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("model").asText()).isEqualTo("m-1");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo(InstantAnswers.TEXT);
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/total_tokens").asInt())
                .isEqualTo(InstantAnswers.PROMPT_TOKENS + InstantAnswers.COMPLETION_TOKENS);
    }

    @Test
    void streamsTheSameTextWithAUsageChunkWhenAskedFor() throws Exception {
        HttpResponse<String> answer = post("/chat/completions",
                "{\"model\":\"m\",\"stream\": true, \"stream_options\": {\"include_usage\": true}}");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<String> events = events(answer.body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = chunks(events);
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.at("/choices/0/delta/content").asText("")));
        assertThat(text).hasToString(InstantAnswers.TEXT);
        assertThat(chunks).allSatisfy(c -> assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk"));
        JsonNode usage = chunks.getLast();
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(InstantAnswers.COMPLETION_TOKENS);
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.path("usage").isNull()).isTrue());
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void streamsWithoutUsageWhenNotAskedFor() throws Exception {
        List<JsonNode> chunks = chunks(events(post("/chat/completions", "{\"model\":\"m\",\"stream\":true}").body()));

        assertThat(chunks).hasSize(InstantAnswers.PIECES.size() + 2); // role, pieces, finish
        assertThat(chunks).allSatisfy(c -> assertThat(c.has("usage")).isFalse());
    }

    @Test
    void refusesWhatIsNotAChatCompletion() throws Exception {
        assertThat(post("/completions", "{\"model\":\"m\"}").statusCode()).isEqualTo(404);
        assertThat(post("/chat/completions", "{\"messages\":[]}").statusCode()).isEqualTo(400);
        assertThat(post("/chat/completions", "not json").statusCode()).isEqualTo(400);
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri("/chat/completions")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(JSON.readTree(get.body()).at("/error/message").asText()).contains("GET");
    }

    @Test
    void keepsTheConnectionOpenForTheNextRequest() throws Exception {
        URI base = upstream.openAiBaseUri();
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (String stream : List.of("false", "true", "false")) {
                byte[] body = ("{\"model\":\"m\",\"stream\":" + stream + "}").getBytes(StandardCharsets.UTF_8);
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();

                String head = head(in);
                assertThat(head).startsWith("HTTP/1.1 200 ").doesNotContainIgnoringCase("connection: close");
                String answer = stream.equals("true") ? chunkedBody(in) : new String(in.readNBytes(contentLength(head)), StandardCharsets.UTF_8);
                assertThat(answer).contains(InstantAnswers.ID);
            }
        }
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create(upstream.openAiBaseUri() + path);
    }

    /** The data of each event, in order. */
    private static List<String> events(String body) {
        assertThat(body).endsWith("\n\n");
        return Arrays.stream(body.split("\n\n")).map(e -> {
            assertThat(e).startsWith("data: ");
            return e.substring("data: ".length());
        }).toList();
    }

    private static List<JsonNode> chunks(List<String> events) throws IOException {
        List<JsonNode> chunks = new ArrayList<>();
        for (String data : events.subList(0, events.size() - 1)) chunks.add(JSON.readTree(data));
        return chunks;
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the connection ended inside a head").isNotNegative();
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static int contentLength(String head) {
        return head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .mapToInt(l -> Integer.parseInt(l.substring("content-length:".length()).strip())).findFirst().orElseThrow();
    }

    private static String chunkedBody(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line(in), 16);
            body.write(in.readNBytes(size));
            assertThat(line(in)).isEmpty();
            if (size == 0) return body.toString(StandardCharsets.UTF_8);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            assertThat(b).as("the connection ended inside a line").isNotNegative();
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
