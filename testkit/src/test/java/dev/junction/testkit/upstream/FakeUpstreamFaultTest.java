package dev.junction.testkit.upstream;

import static dev.junction.testkit.upstream.Calls.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each fault does what it says, byte for byte, and the schedule hands out exactly as many as asked for. */
class FakeUpstreamFaultTest {
    /** How long a test accepts silence as "nothing was sent": a lower bound, never a speed requirement. */
    private static final Duration SILENCE = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final FakeUpstream up = FakeUpstream.start();
    private final HttpClient client = Calls.client();

    @AfterEach
    void tearDown() {
        client.close();
        up.close();
    }

    /** Nothing more comes on {@code raw}, yet the upstream keeps its connection open until {@code raw} closes it. */
    private void assertSilentAndOpenUntilClosed(RawClient raw) throws Exception {
        raw.readDeadline(SILENCE);
        assertThatThrownBy(raw::read).isInstanceOf(SocketTimeoutException.class);
        assertThat(up.openConnections()).isEqualTo(1);

        raw.close();

        assertThat(up.awaitOpenConnections(0, DEADLINE)).isTrue();
        assertThat(up.requestsCompleted()).isZero();
    }

    /** A raw connection on which a streamed chat request for {@code maxTokens} tokens got its 200 head. */
    private RawClient rawStream(int maxTokens) throws IOException {
        RawClient raw = RawClient.connect(up);
        raw.send(RawClient.post("/v1/chat/completions", Calls.chat(true, true, maxTokens)));
        assertThat(raw.readHead().status()).isEqualTo(200);
        return raw;
    }

    private HttpResponse<InputStream> stream(int maxTokens) throws IOException, InterruptedException {
        return client.send(Calls.post(Calls.chatUri(up), Calls.chat(true, true, maxTokens)), HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void eventsArriveOneByOne() throws Exception {
        EventGate gate = new EventGate();
        up.fault(Fault.gated(gate));
        HttpResponse<InputStream> r = stream(3);
        assertThat(r.statusCode()).isEqualTo(200);

        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            // each event is read before the upstream is allowed to send the next one
            gate.release();
            assertThat(at(Calls.nextEvent(lines), "choices", 0, "delta", "content")).isEqualTo("tok0 ");
            gate.release();
            assertThat(at(Calls.nextEvent(lines), "choices", 0, "delta", "content")).isEqualTo("tok1 ");
            gate.release();
            assertThat(at(Calls.nextEvent(lines), "choices", 0, "delta", "content")).isEqualTo("tok2 ");
            gate.open();
            assertThat(at(Calls.nextEvent(lines), "choices", 0, "finish_reason")).isEqualTo("length");
            assertThat(at(Calls.nextEvent(lines), "usage", "completion_tokens")).isEqualTo(3L);
            assertThat(Calls.nextEvent(lines)).isEqualTo("[DONE]");
        }
    }

    @Test
    void slowDelaysTheFirstByteAndEachEvent() throws Exception {
        up.fault(Fault.slow(SILENCE, Duration.ofMillis(50)));

        long start = System.nanoTime();
        HttpResponse<InputStream> r = stream(3);
        long headersAfter = System.nanoTime() - start;
        Calls.Stream stream = Calls.readEvents(r.body());
        long doneAfter = System.nanoTime() - start;

        assertThat(Duration.ofNanos(headersAfter)).isGreaterThanOrEqualTo(SILENCE);
        assertThat(Duration.ofNanos(doneAfter)).isGreaterThanOrEqualTo(SILENCE.plusMillis(5 * 50)); // six events, five gaps
        assertThat(stream.done()).isTrue();
        assertThat(stream.content()).isEqualTo("tok0 tok1 tok2 ");
    }

    @Test
    void neverAnswerReadsTheRequestAndStaysSilentUntilTheClientLeaves() throws Exception {
        up.fault(Fault.neverAnswer());
        try (RawClient raw = RawClient.connect(up)) {
            raw.send(RawClient.post("/v1/chat/completions", Calls.chat(false, false, 1)));
            assertThat(up.awaitRequestsReceived(1, DEADLINE)).isTrue();

            assertSilentAndOpenUntilClosed(raw);
        }
    }

    @Test
    void neverAnswerTimesAnHttpClientOut() {
        up.fault(Fault.neverAnswer());
        var request = HttpRequest.newBuilder(Calls.chatUri(up)).timeout(SILENCE)
                .POST(HttpRequest.BodyPublishers.ofString(Calls.chat(false, false, 1))).build();

        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void http500HasAnOpenAiErrorBody() throws Exception {
        up.fault(Fault.http(500));

        HttpResponse<String> r = Calls.postChat(client, up, Calls.chat(true, false, 1));

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        assertThat(at(r.body(), "error", "type")).isEqualTo("server_error");
        assertThat((String) at(r.body(), "error", "message")).contains(FakeUpstream.INTERNAL_MARKER);
        assertThat(up.requestsCompleted()).isEqualTo(1);
    }

    @Test
    void http429CarriesRetryAfterForTheNextRequestsOnly() throws Exception {
        up.fault(Fault.http(429).retryAfter(2)).times(2);

        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) answers.add(Calls.postChat(client, up, Calls.chat(false, false, 1)));

        assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(429, 429, 200, 200);
        assertThat(answers.getFirst().headers().firstValue("retry-after")).contains("2");
        assertThat(at(answers.getFirst().body(), "error", "code")).isEqualTo("rate_limit_exceeded");
        assertThat(answers.getLast().headers().firstValue("retry-after")).isEmpty();
    }

    @Test
    void timesCountsExactlyUnderConcurrency() throws Exception {
        up.fault(Fault.http(503)).times(10);

        List<Integer> statuses = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(pool.submit(() -> Calls.postChat(client, up, Calls.chat(false, false, 1)).statusCode()));
            }
            for (Future<Integer> f : futures) statuses.add(f.get());
        }

        assertThat(statuses).filteredOn(s -> s == 503).hasSize(10);
        assertThat(statuses).filteredOn(s -> s == 200).hasSize(40);
    }

    @Test
    void notJsonIsACompleteOkWhoseBodyIsNoJson() throws Exception {
        up.fault(Fault.notJson());

        HttpResponse<String> plain = Calls.postChat(client, up, Calls.chat(false, false, 1));
        HttpResponse<String> streamed = Calls.postChat(client, up, Calls.chat(true, false, 1));

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("content-type")).contains("application/json");
        assertThatThrownBy(() -> Json.parse(plain.body())).isInstanceOf(IllegalArgumentException.class);
        assertThat(streamed.headers().firstValue("content-type")).contains("text/event-stream");
        assertThat(streamed.body()).doesNotContain("data:");
        assertThat(up.requestsCompleted()).isEqualTo(2);
    }

    @Test
    void notHttpSendsBytesNoClientCanRead() throws Exception {
        up.fault(Fault.notHttp());
        try (RawClient raw = RawClient.connect(up)) {
            raw.send(RawClient.post("/v1/chat/completions", Calls.chat(false, false, 1)));

            String received = new String(raw.readToEnd(), StandardCharsets.ISO_8859_1);
            assertThat(received).isNotEmpty().doesNotStartWith("HTTP/");
        }
        assertThatThrownBy(() -> Calls.postChat(client, up, Calls.chat(false, false, 1))).isInstanceOf(IOException.class);
    }

    @Test
    void cutAfterKEndsAChunkedStreamWithoutItsLastChunk() throws Exception {
        up.fault(Fault.cutAfter(3));
        try (RawClient raw = rawStream(8)) {
            RawClient.Chunks got = raw.readChunks();

            assertThat(got.chunks()).hasSize(3).satisfiesExactly(
                    c -> assertThat(c).contains("tok0 "), c -> assertThat(c).contains("tok1 "), c -> assertThat(c).contains("tok2 "));
            assertThat(got.failure()).containsInstanceOf(EOFException.class);
        }
        assertThat(up.requestsCompleted()).isZero();
        assertThat(up.awaitOpenConnections(0, DEADLINE)).isTrue();
    }

    @Test
    void anHttpClientNoticesACutChunkedStream() throws Exception {
        up.fault(Fault.cutAfter(3));

        Calls.Stream stream = Calls.readEvents(stream(8).body());

        // the JDK's client drops what it had queued once the connection fails, so fewer events may show
        assertThat(stream.failure()).isPresent();
        assertThat(stream.events().size()).isLessThanOrEqualTo(3);
        assertThat(stream.done()).isFalse();
    }

    @Test
    void cutCloseDelimitedStreamLooksLikeAnEndWithoutDone() throws Exception {
        up.framing(StreamFraming.CLOSE_DELIMITED);
        up.fault(Fault.cutAfter(2));

        Calls.Stream stream = Calls.readEvents(stream(8).body());

        assertThat(stream.failure()).isEmpty(); // only the missing [DONE] tells
        assertThat(stream.events()).hasSize(2);
        assertThat(stream.done()).isFalse();
    }

    @Test
    void cutNeverSendsDoneEvenWhenKCoversTheWholeStream() throws Exception {
        up.fault(Fault.cutAfter(100));
        try (RawClient raw = rawStream(2)) {
            RawClient.Chunks got = raw.readChunks();

            assertThat(got.failure()).containsInstanceOf(EOFException.class);
            assertThat(got.chunks()).hasSize(4); // two tokens, finish, usage
            assertThat(got.chunks().getLast()).contains("\"usage\":{");
        }
    }

    @Test
    void cutPlainAnswerSendsHalfItsBody() {
        up.fault(Fault.cutAfter(0));

        assertThatThrownBy(() -> Calls.postChat(client, up, Calls.chat(false, false, 1))).isInstanceOf(IOException.class);
    }

    @Test
    void resetAfterKResetsTheConnection() throws Exception {
        up.fault(Fault.resetAfter(2));
        try (RawClient raw = rawStream(8)) {
            RawClient.Chunks got = raw.readChunks();

            assertThat(got.failure()).containsInstanceOf(SocketException.class);
            assertThat(got.failure().orElseThrow()).hasMessageContaining("reset");
            // the reset may overtake data the client had not read yet; what did arrive is the stream's start
            assertThat(got.chunks().size()).isLessThanOrEqualTo(2);
            assertThat(got.chunks()).noneMatch(c -> c.contains("[DONE]"));
        }
    }

    @Test
    void malformedAfterKBreaksOneEventAndKeepsTheRest() throws Exception {
        up.fault(Fault.malformedAfter(2));

        Calls.Stream stream = Calls.readEvents(stream(3).body());

        List<String> events = stream.events();
        assertThat(events).hasSize(7); // three tokens, finish, usage, [DONE] and the broken one
        assertThat(at(events.get(1), "choices", 0, "delta", "content")).isEqualTo("tok1 ");
        assertThatThrownBy(() -> Json.parse(events.get(2))).isInstanceOf(IllegalArgumentException.class);
        assertThat(at(events.get(3), "choices", 0, "delta", "content")).isEqualTo("tok2 ");
        assertThat(stream.done()).isTrue();
    }

    @Test
    void malformedPlainAnswerIsNoJson() throws Exception {
        up.fault(Fault.malformedAfter(0));

        HttpResponse<String> r = Calls.postChat(client, up, Calls.chat(false, false, 1));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> Json.parse(r.body())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stallAfterKSendsKEventsThenNothingWithTheConnectionOpen() throws Exception {
        up.fault(Fault.stallAfter(2));
        try (RawClient raw = rawStream(8)) {
            assertThat(raw.readChunk()).contains("tok0 ");
            assertThat(raw.readChunk()).contains("tok1 ");

            assertSilentAndOpenUntilClosed(raw);
        }
    }

    @Test
    void closeBeforeAnswerSendsNothingAndCloses() throws Exception {
        up.fault(Fault.closeBeforeAnswer());
        try (RawClient raw = RawClient.connect(up)) {
            raw.send(RawClient.post("/v1/chat/completions", Calls.chat(false, false, 1)));

            assertThat(raw.read()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> Calls.postChat(client, up, Calls.chat(false, false, 1))).isInstanceOf(IOException.class);
        assertThat(up.requestsReceived()).isEqualTo(2);
        assertThat(up.requestsCompleted()).isZero();
    }

    @Test
    void probeFaultsAreSeparateFromCompletionFaults() throws Exception {
        URI health = URI.create(up.baseUri() + "/health");
        up.probeFault(Fault.http(503));

        assertThat(client.send(Calls.get(health), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        assertThat(Calls.postChat(client, up, Calls.chat(false, false, 1)).statusCode()).isEqualTo(200);

        up.fault(Fault.http(500));
        up.healthy();
        assertThat(client.send(Calls.get(health), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(Calls.postChat(client, up, Calls.chat(false, false, 1)).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownPathsAreNeverFaulted() throws Exception {
        up.fault(Fault.closeBeforeAnswer());

        var r = client.send(Calls.get(URI.create(up.baseUri() + "/nowhere")), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(404);
    }

    @Test
    void timesAfterAnotherFaultWasSetChangesNothing() throws Exception {
        FaultSetting first = up.fault(Fault.http(500));
        up.fault(Fault.http(502));
        first.times(0);

        assertThat(Calls.postChat(client, up, Calls.chat(false, false, 1)).statusCode()).isEqualTo(502);
    }
}
