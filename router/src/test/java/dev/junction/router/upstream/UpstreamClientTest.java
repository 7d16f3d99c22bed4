package dev.junction.router.upstream;

import dev.junction.router.config.Timeouts;
import dev.junction.testkit.upstream.FakeUpstream;
import dev.junction.testkit.upstream.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The upstream client against a real fault-injecting HTTP server on loopback: each fault, one clear outcome. */
class UpstreamClientTest {
    static final Timeouts SHORT = new Timeouts(Duration.ofSeconds(2), Duration.ofMillis(400), Duration.ofMillis(400),
            Duration.ofSeconds(20));
    final FakeUpstream up = FakeUpstream.start();
    final UpstreamClient client = new UpstreamClient(SHORT);

    @AfterEach
    void close() {
        client.close();
        up.close();
    }

    /** Records a call's events and its one ending (a second ending fails the test). */
    static final class Recorder implements UpstreamListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Object> end = new CompletableFuture<>(); // byte[] (or a marker) or UpstreamFailure
        final AtomicInteger ends = new AtomicInteger();

        @Override
        public void onEvent(String data) {
            if (end.isDone()) throw new AssertionError("an event after the end");
            events.add(data);
        }

        @Override
        public void onComplete(byte[] body) {
            ends.incrementAndGet();
            end.complete(body == null ? "[DONE]" : new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public void onFailure(UpstreamFailure failure) {
            ends.incrementAndGet();
            end.complete(failure);
        }

        Object await() throws Exception {
            Object outcome = end.get(30, TimeUnit.SECONDS);
            Thread.sleep(50); // long enough for a wrong second ending to show, not a timing assertion
            assertThat(ends.get()).isEqualTo(1);
            return outcome;
        }
    }

    Recorder call(boolean stream, int maxTokens) {
        return call(up.openAiBaseUri(), stream, maxTokens);
    }

    Recorder call(URI base, boolean stream, int maxTokens) {
        Recorder r = new Recorder();
        client.send(chat(base, stream, maxTokens, SHORT), r);
        return r;
    }

    static UpstreamRequest chat(URI base, boolean stream, int maxTokens, Timeouts timeouts) {
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"say something\"}],\"max_tokens\":"
                + maxTokens + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + "}";
        return new UpstreamRequest(base.resolve(base.getPath() + "/chat/completions"),
                Map.of("Authorization", "Bearer sk-test"), body.getBytes(StandardCharsets.UTF_8), stream, timeouts);
    }

    @Test
    void callsEndedWithTheirAnswerLeaveTheirKeptAliveConnectionsUsableByTheNextCalls() throws Exception {
        // a connection goes back to the pool as its body ends; closing it then would break the call it went to next
        List<Object> ends = new CopyOnWriteArrayList<>();
        try (UpstreamClient patient = new UpstreamClient(Timeouts.DEFAULTS); // no deadline a loaded machine misses
             var callers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int caller = 0; caller < 16; caller++) {
                boolean stream = caller % 2 == 0;
                callers.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        Recorder r = new Recorder();
                        patient.send(chat(up.openAiBaseUri(), stream, 4, Timeouts.DEFAULTS), r);
                        ends.add(r.end.get(60, TimeUnit.SECONDS));
                    }
                    return null;
                });
            }
        }
        assertThat(ends).hasSize(16 * 60);
        assertThat(ends).as("calls that failed").filteredOn(e -> e instanceof UpstreamFailure).isEmpty();
    }

    @Test
    void aStreamArrivesEventByEventAndEndsWithDone() throws Exception {
        Recorder r = call(true, 4);
        assertThat(r.await()).isEqualTo("[DONE]");
        assertThat(r.events).hasSizeGreaterThanOrEqualTo(4).allMatch(e -> e.startsWith("{"));
        assertThat(r.events.getLast()).contains("\"usage\"");
        assertThat(up.lastRequest().header("authorization")).contains("Bearer sk-test");
        assertThat(up.lastRequest().bodyText()).contains("\"stream_options\"");
    }

    @Test
    void aPlainAnswerArrivesWhole() throws Exception {
        Recorder r = call(false, 3);
        assertThat((String) r.await()).contains("\"choices\"").contains("\"usage\"");
        assertThat(r.events).isEmpty();
    }

    @Test
    void anErrorStatusIsReportedWithItsRetryAfter() throws Exception {
        up.fault(Fault.http(429).retryAfter(2)).times(1);
        assertThat(call(true, 4).await()).isInstanceOfSatisfying(UpstreamFailure.Status.class, s -> {
            assertThat(s.code()).isEqualTo(429);
            assertThat(s.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        });
        up.fault(Fault.http(500)).times(1);
        assertThat(call(false, 4).await()).isInstanceOfSatisfying(UpstreamFailure.Status.class,
                s -> assertThat(s.code()).isEqualTo(500));
    }

    @Test
    void anUpstreamThatNeverAnswersTimesOutAtTheFirstToken() throws Exception {
        up.fault(Fault.neverAnswer());
        assertThat(call(true, 4).await()).isEqualTo(
                new UpstreamFailure.TimedOut(UpstreamFailure.TimedOut.Phase.FIRST_TOKEN));
    }

    @Test
    void aStreamThatStallsTimesOutWhenIdle() throws Exception {
        up.fault(Fault.stallAfter(2));
        Recorder r = call(true, 8);
        assertThat(r.await()).isEqualTo(new UpstreamFailure.TimedOut(UpstreamFailure.TimedOut.Phase.IDLE));
        assertThat(r.events).hasSizeLessThanOrEqualTo(2);
        assertThat(up.awaitOpenConnections(0, Duration.ofSeconds(10))).isTrue(); // the stalled connection is closed
    }

    @Test
    void aStreamCutBeforeItsDoneIsACutNeverACompletion() throws Exception {
        for (Fault fault : List.of(Fault.cutAfter(3), Fault.resetAfter(3), Fault.closeBeforeAnswer(),
                Fault.notHttp())) {
            up.fault(fault).times(1);
            Recorder r = call(true, 8);
            assertThat(r.await()).as("%s", fault).isInstanceOf(UpstreamFailure.Cut.class);
            assertThat(r.events).hasSizeLessThanOrEqualTo(3);
        }
    }

    @Test
    void noConnectionIsAConnectFailure() throws Exception {
        URI base = up.openAiBaseUri();
        up.stop();
        assertThat(call(base, true, 4).await()).isInstanceOf(UpstreamFailure.ConnectFailed.class);
        up.restart();
        assertThat(call(base, true, 4).await()).isEqualTo("[DONE]"); // the same port again
    }

    @Test
    void aCancelledCallEndsSilentlyAndClosesItsConnection() throws Exception {
        up.fault(Fault.stallAfter(1));
        Recorder r = new Recorder();
        Duration patient = Duration.ofSeconds(20);
        UpstreamCall c = client.send(chat(up.openAiBaseUri(), true, 8, new Timeouts(patient, patient, patient,
                patient)), r);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.events.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(r.events).hasSize(1);
        c.cancel();
        assertThat(up.awaitOpenConnections(0, Duration.ofSeconds(10))).isTrue();
        Thread.sleep(100);
        assertThat(r.ends.get()).isZero();
    }

    @Test
    void theRetryAfterHeaderIsReadInSecondsOrAsADate() {
        assertThat(UpstreamCall.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(UpstreamCall.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(UpstreamCall.retryAfter("soon")).isNull();
        assertThat(UpstreamCall.retryAfter(null)).isNull();
    }
}
