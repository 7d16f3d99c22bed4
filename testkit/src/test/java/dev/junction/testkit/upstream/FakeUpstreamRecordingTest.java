package dev.junction.testkit.upstream;

import static dev.junction.testkit.upstream.Calls.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a test can learn about the requests a client sent: the record, the echo, Azure's deployment and key. */
class FakeUpstreamRecordingTest {
    /** A body with the fields a router must pass through untouched. */
    private static final String WITH_TOOLS = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"weather in Paris?\"}],"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":{\"type\":\"object\"}}}],"
            + "\"response_format\":{\"type\":\"json_object\"},\"x_future_field\":[1,2.5,null,\"\\u00e9\"]}";

    private final FakeUpstream up = FakeUpstream.start();
    private final HttpClient client = Calls.client();

    @AfterEach
    void tearDown() {
        client.close();
        up.close();
    }

    @Test
    void recordsMethodPathHeadersAndTheExactBody() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(Calls.chatUri(up))
                .header("Authorization", "Bearer sk-test")
                .header("Content-Type", "application/json")
                .header("X-Trace", "abc")
                .POST(HttpRequest.BodyPublishers.ofString(WITH_TOOLS))
                .build();

        client.send(request, HttpResponse.BodyHandlers.ofString());

        ReceivedRequest received = up.lastRequest();
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.path()).isEqualTo("/v1/chat/completions");
        assertThat(received.header("authorization")).contains("Bearer sk-test");
        assertThat(received.header("x-trace")).contains("abc");
        assertThat(received.headers()).containsKey("content-length");
        assertThat(received.body()).isEqualTo(WITH_TOOLS.getBytes(StandardCharsets.UTF_8));
        assertThat(up.requests()).containsExactly(received);
    }

    @Test
    void repeatedHeadersKeepEveryValueInOrder() throws Exception {
        try (RawClient raw = RawClient.connect(up)) {
            raw.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Multi: a\r\nx-multi: b\r\n\r\n");
            raw.readHead();
        }

        assertThat(up.lastRequest().headers().get("x-multi")).containsExactly("a", "b");
    }

    @Test
    void echoContentPutsTheReceivedBodyInTheAnswer() throws Exception {
        up.echo(Echo.CONTENT);

        String plain = Calls.postChat(client, up, WITH_TOOLS).body();
        HttpResponse<InputStream> streamed = client.send(Calls.post(Calls.chatUri(up), streamed(WITH_TOOLS)),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(at(plain, "choices", 0, "message", "content")).isEqualTo(WITH_TOOLS);
        assertThat(at(plain, "usage", "completion_tokens")).isEqualTo(1L);
        Calls.Stream stream = Calls.readEvents(streamed.body());
        assertThat(stream.content()).isEqualTo(streamed(WITH_TOOLS));
        assertThat(stream.done()).isTrue();
    }

    @Test
    void echoContentWorksForTextCompletions() throws Exception {
        up.echo(Echo.CONTENT);
        String request = "{\"model\":\"m\",\"prompt\":\"hi\",\"suffix\":\"!\"}";

        String body = client.send(Calls.post(URI.create(up.openAiBaseUri() + "/completions"), request),
                HttpResponse.BodyHandlers.ofString()).body();

        assertThat(at(body, "choices", 0, "text")).isEqualTo(request);
    }

    @Test
    void echoHeaderCarriesTheBodyBesideTheNormalAnswer() throws Exception {
        up.echo(Echo.HEADER);

        HttpResponse<String> r = Calls.postChat(client, up, WITH_TOOLS);

        String echoed = r.headers().firstValue(FakeUpstream.ECHO_HEADER).orElseThrow();
        assertThat(new String(Base64.getDecoder().decode(echoed), StandardCharsets.UTF_8)).isEqualTo(WITH_TOOLS);
        assertThat(at(r.body(), "choices", 0, "message", "content")).isEqualTo("tok0 tok1 tok2 tok3 tok4 tok5 tok6 tok7 ");
    }

    @Test
    void aCannedAnswerIsSentAsWrittenPlainOrStreamedUntilGeneratedAnswersReturn() throws Exception {
        String body = "{\"id\":\"canned\",\"choices\":[],\"x_vendor\":{\"a\":1}}";
        up.answerWith(new Canned(body, List.of("{\"id\":\"e1\"}", "{\"id\":\"e2\"}")));

        String plain = Calls.postChat(client, up, WITH_TOOLS).body();
        HttpResponse<InputStream> streamed = client.send(Calls.post(Calls.chatUri(up), streamed(WITH_TOOLS)),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(plain).isEqualTo(body);
        assertThat(Calls.readEvents(streamed.body()).events())
                .containsExactly("{\"id\":\"e1\"}", "{\"id\":\"e2\"}", "[DONE]");
        up.generatedAnswers();
        assertThat(at(Calls.postChat(client, up, Calls.chat(false, false, 1)).body(), "choices", 0, "message",
                "content")).isEqualTo("tok0 ");
    }

    @Test
    void azureChatNamesTheModelAfterTheDeploymentAndRecordsTheKey() throws Exception {
        URI uri = URI.create(up.baseUri() + "/openai/deployments/my-llama/chat/completions?api-version=2024-10-21");
        HttpRequest request = HttpRequest.newBuilder(uri).header("api-key", "azure-secret")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}],\"max_tokens\":2}"))
                .build();

        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(at(r.body(), "model")).isEqualTo("my-llama");
        assertThat(at(r.body(), "choices", 0, "message", "content")).isEqualTo("tok0 tok1 ");
        assertThat(at(r.body(), "usage", "prompt_tokens")).isEqualTo(2L);
        ReceivedRequest received = up.lastRequest();
        assertThat(received.azureDeployment()).contains("my-llama");
        assertThat(received.query("api-version")).contains("2024-10-21");
        assertThat(received.header("api-key")).contains("azure-secret");
    }

    @Test
    void azureCompletionsAndStreaming() throws Exception {
        URI completions = URI.create(up.baseUri() + "/openai/deployments/d%201/completions?api-version=2024-10-21");
        URI chat = URI.create(up.baseUri() + "/openai/deployments/d2/chat/completions?api-version=2024-10-21");

        String text = client.send(Calls.post(completions, "{\"prompt\":\"a b c\",\"max_tokens\":1}"),
                HttpResponse.BodyHandlers.ofString()).body();
        HttpResponse<InputStream> streamed = client.send(Calls.post(chat, Calls.chat(true, true, 2)),
                HttpResponse.BodyHandlers.ofInputStream());

        assertThat(at(text, "object")).isEqualTo("text_completion");
        assertThat(at(text, "model")).isEqualTo("d 1");
        assertThat(up.requests().getFirst().azureDeployment()).contains("d 1");
        Calls.Stream stream = Calls.readEvents(streamed.body());
        assertThat(stream.content()).isEqualTo("tok0 tok1 ");
        assertThat(at(stream.events().getFirst(), "model")).isEqualTo("d2");
        assertThat(stream.done()).isTrue();
    }

    @Test
    void azureWithoutApiVersionIsRefused() throws Exception {
        URI uri = URI.create(up.baseUri() + "/openai/deployments/d/chat/completions");

        HttpResponse<String> r = client.send(Calls.post(uri, Calls.chat(false, false, 1)), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat((String) at(r.body(), "error", "message")).contains("api-version");
    }

    private static String streamed(String body) {
        return body.substring(0, body.length() - 1) + ",\"stream\":true}";
    }
}
