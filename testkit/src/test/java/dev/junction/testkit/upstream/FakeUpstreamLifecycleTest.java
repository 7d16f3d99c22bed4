package dev.junction.testkit.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Stop as a killed process, start again on the same port, and many connections at once without leaks. */
class FakeUpstreamLifecycleTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final FakeUpstream up = FakeUpstream.start();

    @AfterEach
    void tearDown() {
        up.close();
    }

    @Test
    void stopRefusesConnectionsAndRestartServesOnTheSamePort() throws Exception {
        int port = up.port();
        try (HttpClient client = Calls.client()) {
            assertThat(Calls.postChat(client, up, Calls.chat(false, false, 1)).statusCode()).isEqualTo(200);
        }

        up.stop();
        try (HttpClient client = Calls.client()) {
            assertThatThrownBy(() -> Calls.postChat(client, up, Calls.chat(false, false, 1)))
                    .isInstanceOf(ConnectException.class);
        }

        up.restart();
        assertThat(up.port()).isEqualTo(port);
        try (HttpClient client = Calls.client()) {
            assertThat(Calls.postChat(client, up, Calls.chat(false, false, 1)).statusCode()).isEqualTo(200);
        }
        assertThat(up.requestsReceived()).isEqualTo(2);
    }

    @Test
    void stopEndsEveryOpenConnectionMidAnswer() throws Exception {
        up.fault(Fault.stallAfter(1));
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawClient raw = RawClient.connect(up);
                clients.add(raw);
                raw.send(RawClient.post("/v1/chat/completions", Calls.chat(true, false, 8)));
                raw.readHead();
                assertThat(raw.readChunk()).contains("tok0 ");
            }
            assertThat(up.openConnections()).isEqualTo(3);

            up.stop();

            assertThat(up.openConnections()).isZero();
            for (RawClient raw : clients) {
                assertThatThrownBy(raw::readChunk).isInstanceOf(IOException.class); // end of stream or reset
            }
        } finally {
            for (RawClient raw : clients) raw.close();
        }
    }

    @Test
    void stopInterruptsConnectionsThatWaitOnAFault() throws Exception {
        up.probeFault(Fault.slow(Duration.ofHours(1)));
        up.fault(Fault.gated(new EventGate())); // never released
        try (RawClient sleeping = RawClient.connect(up); RawClient gated = RawClient.connect(up)) {
            sleeping.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            gated.send(RawClient.post("/v1/chat/completions", Calls.chat(true, false, 1)));
            gated.readHead();
            assertThat(up.awaitRequestsReceived(2, DEADLINE)).isTrue();

            up.stop(); // fails if a connection's thread does not end

            assertThat(up.openConnections()).isZero();
            assertThat(sleeping.read()).isEqualTo(-1);
            assertThatThrownBy(gated::readChunk).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aConnectionIsSeenToCloseWhenItsClientLeaves() throws Exception {
        up.fault(Fault.neverAnswer());
        try (RawClient staying = RawClient.connect(up)) {
            staying.send(RawClient.post("/v1/chat/completions", Calls.chat(false, false, 1)));
            assertThat(up.awaitRequestsReceived(1, DEADLINE)).isTrue();
            int stays = up.lastRequest().connection();
            int leaves;
            try (RawClient leaving = RawClient.connect(up)) {
                leaving.send(RawClient.post("/v1/chat/completions", Calls.chat(false, false, 1)));
                assertThat(up.awaitRequestsReceived(2, DEADLINE)).isTrue();
                leaves = up.lastRequest().connection();
            }

            assertThat(up.awaitConnectionClosed(leaves, DEADLINE)).isTrue();
            assertThat(up.awaitConnectionClosed(stays, Duration.ofMillis(50))).isFalse();
            assertThat(up.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void restartKeepsFaultsAndRecords() throws Exception {
        up.fault(Fault.http(503));
        try (HttpClient client = Calls.client()) {
            Calls.postChat(client, up, Calls.chat(false, false, 1));
        }

        up.restart();

        try (HttpClient client = Calls.client()) {
            assertThat(Calls.postChat(client, up, Calls.chat(false, false, 1)).statusCode()).isEqualTo(503);
        }
        assertThat(up.requests()).hasSize(2);
    }

    @Test
    void aClosedUpstreamCannotRestart() {
        up.close();

        assertThatThrownBy(up::restart).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void twoHundredConcurrentRequestsAreAllAnsweredAndEveryConnectionCloses() throws Exception {
        // a short pause before each answer keeps the requests in flight together
        up.fault(Fault.slow(Duration.ofMillis(100), Duration.ofMillis(5)));
        int requests = 200;
        List<String> contents = new ArrayList<>();
        try (HttpClient client = Calls.client(); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                boolean streamed = i % 2 == 0;
                Callable<String> call = streamed ? () -> streamedContent(client) : () -> plainContent(client);
                answers.add(pool.submit(call));
            }
            for (Future<String> answer : answers) contents.add(answer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        }

        assertThat(contents).hasSize(requests).containsOnly("tok0 tok1 tok2 ");
        assertThat(up.awaitOpenConnections(0, DEADLINE)).isTrue();
        assertThat(up.requestsReceived()).isEqualTo(requests);
        assertThat(up.requestsCompleted()).isEqualTo(requests);
    }

    private String plainContent(HttpClient client) throws IOException, InterruptedException {
        HttpResponse<String> r = Calls.postChat(client, up, Calls.chat(false, false, 3));
        assertThat(r.statusCode()).isEqualTo(200);
        return (String) Calls.at(r.body(), "choices", 0, "message", "content");
    }

    private String streamedContent(HttpClient client) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = client.send(Calls.post(Calls.chatUri(up), Calls.chat(true, true, 3)),
                HttpResponse.BodyHandlers.ofInputStream());
        Calls.Stream stream = Calls.readEvents(r.body());
        assertThat(stream.failure()).isEmpty();
        assertThat(stream.done()).isTrue();
        return stream.content();
    }
}
