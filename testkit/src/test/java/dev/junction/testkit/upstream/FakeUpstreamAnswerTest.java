package dev.junction.testkit.upstream;

import static dev.junction.testkit.upstream.Calls.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The healthy answers: OpenAI's shapes, deterministic text, exact usage, and HTTP/1.1 read and written correctly. */
class FakeUpstreamAnswerTest {
    private final FakeUpstream up = FakeUpstream.builder().models("alpha", "beta").start();
    private final HttpClient client = Calls.client();

    @AfterEach
    void tearDown() {
        client.close();
        up.close();
    }

    @Test
    void chatCompletionHasOpenAisShapeAndExactUsage() throws Exception {
        HttpResponse<String> r = Calls.postChat(client, up, Calls.chat(false, false, 3));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        String body = r.body();
        assertThat((String) at(body, "id")).startsWith("chatcmpl-");
        assertThat(at(body, "object")).isEqualTo("chat.completion");
        assertThat(at(body, "created")).isInstanceOf(Long.class);
        assertThat(at(body, "model")).isEqualTo("m");
        assertThat(at(body, "choices", 0, "message", "role")).isEqualTo("assistant");
        assertThat(at(body, "choices", 0, "message", "content")).isEqualTo("tok0 tok1 tok2 ");
        assertThat(at(body, "choices", 0, "finish_reason")).isEqualTo("length");
        assertThat(at(body, "usage", "prompt_tokens")).isEqualTo(5L);
        assertThat(at(body, "usage", "completion_tokens")).isEqualTo(3L);
        assertThat(at(body, "usage", "total_tokens")).isEqualTo(8L);
    }

    @Test
    void withoutMaxTokensTheDefaultLengthStopsNaturally() throws Exception {
        String body = Calls.postChat(client, up, Calls.chat(false, false, 0)).body();

        assertThat(at(body, "choices", 0, "message", "content")).isEqualTo("tok0 tok1 tok2 tok3 tok4 tok5 tok6 tok7 ");
        assertThat(at(body, "choices", 0, "finish_reason")).isEqualTo("stop");
        assertThat(at(body, "usage", "completion_tokens")).isEqualTo(8L);
    }

    @Test
    void textCompletionCountsThePromptsWords() throws Exception {
        String request = "{\"model\":\"m\",\"prompt\":[\"once upon\",\"a time\"],\"max_completion_tokens\":2}";
        HttpResponse<String> r = client.send(Calls.post(URI.create(up.openAiBaseUri() + "/completions"), request),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(at(r.body(), "object")).isEqualTo("text_completion");
        assertThat(at(r.body(), "choices", 0, "text")).isEqualTo("tok0 tok1 ");
        assertThat(at(r.body(), "usage", "prompt_tokens")).isEqualTo(4L);
        assertThat(at(r.body(), "usage", "completion_tokens")).isEqualTo(2L);
    }

    @Test
    void streamedChatSendsOneTokenPerEventThenFinishUsageAndDone() throws Exception {
        HttpResponse<InputStream> r = client.send(Calls.post(Calls.chatUri(up), Calls.chat(true, true, 3)),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
        Calls.Stream stream = Calls.readEvents(r.body());

        assertThat(stream.failure()).isEmpty();
        List<String> events = stream.events();
        assertThat(events).hasSize(6); // three tokens, finish, usage, [DONE]
        assertThat(at(events.get(0), "object")).isEqualTo("chat.completion.chunk");
        assertThat(at(events.get(0), "choices", 0, "delta", "role")).isEqualTo("assistant");
        assertThat(at(events.get(0), "choices", 0, "delta", "content")).isEqualTo("tok0 ");
        assertThat(at(events.get(2), "choices", 0, "delta", "content")).isEqualTo("tok2 ");
        assertThat(at(events.get(2), "usage")).isSameAs(Json.NULL);
        assertThat(at(events.get(3), "choices", 0, "finish_reason")).isEqualTo("length");
        assertThat((List<?>) at(events.get(4), "choices")).isEmpty();
        assertThat(at(events.get(4), "usage", "prompt_tokens")).isEqualTo(5L);
        assertThat(at(events.get(4), "usage", "completion_tokens")).isEqualTo(3L);
        assertThat(stream.done()).isTrue();
        assertThat(stream.content()).isEqualTo("tok0 tok1 tok2 ");
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunk() throws Exception {
        HttpResponse<InputStream> r = client.send(Calls.post(Calls.chatUri(up), Calls.chat(true, false, 2)),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> events = Calls.readEvents(r.body()).events();

        assertThat(events).hasSize(4); // two tokens, finish, [DONE]
        assertThat(events).noneMatch(e -> e.contains("usage"));
    }

    @Test
    void streamedTextCompletionUsesTextChunks() throws Exception {
        String request = "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":2,\"stream\":true}";
        HttpResponse<InputStream> r = client.send(
                Calls.post(URI.create(up.openAiBaseUri() + "/completions"), request), HttpResponse.BodyHandlers.ofInputStream());
        Calls.Stream stream = Calls.readEvents(r.body());

        assertThat(at(stream.events().getFirst(), "object")).isEqualTo("text_completion");
        assertThat(stream.content()).isEqualTo("tok0 tok1 ");
        assertThat(stream.done()).isTrue();
    }

    @Test
    void eachEventIsOneHttpChunk() throws Exception {
        try (RawClient raw = RawClient.connect(up)) {
            raw.send(RawClient.post("/v1/chat/completions", Calls.chat(true, false, 2)));
            RawClient.Head head = raw.readHead();

            assertThat(head.headers()).containsEntry("transfer-encoding", "chunked").doesNotContainKey("content-length");
            assertThat(raw.readChunk()).startsWith("data: {").contains("tok0 ").endsWith("\n\n");
            assertThat(raw.readChunk()).contains("tok1 ");
            assertThat(raw.readChunk()).contains("\"finish_reason\":\"length\"");
            assertThat(raw.readChunk()).isEqualTo("data: [DONE]\n\n");
            assertThat(raw.readChunk()).isNull();
        }
    }

    @Test
    void closeDelimitedStreamEndsWithTheConnection() throws Exception {
        up.framing(StreamFraming.CLOSE_DELIMITED);
        try (RawClient raw = RawClient.connect(up)) {
            raw.send(RawClient.post("/v1/chat/completions", Calls.chat(true, false, 2)));
            RawClient.Head head = raw.readHead();
            String body = new String(raw.readToEnd(), StandardCharsets.UTF_8);

            assertThat(head.headers()).containsEntry("connection", "close")
                    .doesNotContainKeys("transfer-encoding", "content-length");
            assertThat(body).startsWith("data: {").endsWith("data: [DONE]\n\n");
        }
        HttpResponse<InputStream> r = client.send(Calls.post(Calls.chatUri(up), Calls.chat(true, false, 2)),
                HttpResponse.BodyHandlers.ofInputStream());
        Calls.Stream stream = Calls.readEvents(r.body());
        assertThat(stream.failure()).isEmpty();
        assertThat(stream.content()).isEqualTo("tok0 tok1 ");
    }

    @Test
    void modelsAndHealth() throws Exception {
        HttpResponse<String> models = client.send(Calls.get(URI.create(up.openAiBaseUri() + "/models")),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> health = client.send(Calls.get(URI.create(up.baseUri() + "/health")),
                HttpResponse.BodyHandlers.ofString());

        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(at(models.body(), "object")).isEqualTo("list");
        assertThat(at(models.body(), "data", 0, "id")).isEqualTo("alpha");
        assertThat(at(models.body(), "data", 1, "id")).isEqualTo("beta");
        assertThat(at(models.body(), "data", 1, "object")).isEqualTo("model");
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void unknownPathsWrongMethodsAndBadBodiesGetOpenAiErrors() throws Exception {
        HttpResponse<String> unknown = client.send(Calls.get(URI.create(up.baseUri() + "/v2/nothing")),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrongMethod = client.send(Calls.get(Calls.chatUri(up)), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> notJson = Calls.postChat(client, up, "{\"model\":");
        HttpResponse<String> noModel = Calls.postChat(client, up, "{\"messages\":[]}");
        HttpResponse<String> badLimit = Calls.postChat(client, up, "{\"model\":\"m\",\"messages\":[],\"max_tokens\":0}");

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(noModel.statusCode()).isEqualTo(400);
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(at(notJson.body(), "error", "type")).isEqualTo("invalid_request_error");
        assertThat((String) at(noModel.body(), "error", "message")).contains("model");
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        try (RawClient raw = RawClient.connect(up)) {
            for (int i = 0; i < 3; i++) {
                raw.send(RawClient.post("/v1/chat/completions", Calls.chat(false, false, 1)));
                RawClient.Head head = raw.readHead();
                raw.readBytes(Integer.parseInt(head.headers().get("content-length")));
                assertThat(head.status()).isEqualTo(200);
                assertThat(head.headers()).doesNotContainKey("connection");
            }
        }
        assertThat(up.requests()).extracting(ReceivedRequest::connection).containsExactly(1, 1, 1);
        assertThat(up.requestsReceived()).isEqualTo(3);
        assertThat(up.requestsCompleted()).isEqualTo(3);
    }

    @Test
    void aClientOfferingAnUpgradeToHttp2IsAnsweredInHttp11() throws Exception {
        try (HttpClient offersHttp2 = HttpClient.newHttpClient()) {
            HttpResponse<String> r = offersHttp2.send(Calls.post(Calls.chatUri(up), Calls.chat(false, false, 1)),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        }
        assertThat(up.lastRequest().header("upgrade")).contains("h2c");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawClient raw = RawClient.connect(up)) {
            raw.send(RawClient.post("/v1/chat/completions", Calls.chat(false, false, 1))
                    + RawClient.post("/v1/chat/completions", Calls.chat(false, false, 2)));
            RawClient.Head first = raw.readHead();
            String firstBody = new String(raw.readBytes(Integer.parseInt(first.headers().get("content-length"))), StandardCharsets.UTF_8);
            RawClient.Head second = raw.readHead();
            String secondBody = new String(raw.readBytes(Integer.parseInt(second.headers().get("content-length"))), StandardCharsets.UTF_8);

            assertThat(at(firstBody, "choices", 0, "message", "content")).isEqualTo("tok0 ");
            assertThat(at(secondBody, "choices", 0, "message", "content")).isEqualTo("tok0 tok1 ");
        }
    }

    @Test
    void chunkedRequestBodyIsReassembled() throws Exception {
        String body = Calls.chat(false, false, 2);
        String first = body.substring(0, 10);
        String rest = body.substring(10);
        try (RawClient raw = RawClient.connect(up)) {
            raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(first.length()) + ";ext=1\r\n" + first + "\r\n"
                    + Integer.toHexString(rest.length()) + "\r\n" + rest + "\r\n0\r\nX-Trailer: t\r\n\r\n");

            assertThat(raw.readHead().status()).isEqualTo(200);
        }
        assertThat(up.lastRequest().bodyText()).isEqualTo(body);
    }

    @Test
    void expectContinueIsAnswered() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(Calls.chatUri(up)).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString(Calls.chat(false, false, 1))).build();

        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(up.lastRequest().header("expect")).hasValueSatisfying(v -> assertThat(v).isEqualToIgnoringCase("100-continue"));
    }

    @Test
    void malformedRequestGetsA400AndTheConnectionCloses() throws Exception {
        try (RawClient raw = RawClient.connect(up)) {
            raw.send("NONSENSE\r\n\r\n");

            RawClient.Head head = raw.readHead();
            raw.readBytes(Integer.parseInt(head.headers().get("content-length")));
            assertThat(head.status()).isEqualTo(400);
            assertThat(head.headers()).containsEntry("connection", "close");
            assertThat(raw.read()).isEqualTo(-1);
        }
        assertThat(up.requestsReceived()).isZero();
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawClient raw = RawClient.connect(up)) {
            raw.send(RawClient.post("/v1/chat/completions", Calls.chat(false, false, 1))
                    .replace("Host: 127.0.0.1\r\n", "Host: 127.0.0.1\r\nConnection: close\r\n"));

            RawClient.Head head = raw.readHead();
            raw.readBytes(Integer.parseInt(head.headers().get("content-length")));
            assertThat(head.headers()).containsEntry("connection", "close");
            assertThat(raw.read()).isEqualTo(-1);
        }
    }
}
