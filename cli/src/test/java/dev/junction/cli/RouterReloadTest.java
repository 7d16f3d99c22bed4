package dev.junction.cli;

import dev.junction.cli.RoutedCalls.Ask;
import dev.junction.cli.RoutedCalls.Ending;
import dev.junction.cli.RoutedCalls.Outcome;
import dev.junction.router.config.ModelConfig;
import dev.junction.router.config.RouterConfig;
import dev.junction.testkit.upstream.EventGate;
import dev.junction.testkit.upstream.FakeUpstream;
import dev.junction.testkit.upstream.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14's reload under load: {@code serve --config} routing one model over two fake upstreams, weighted 1:1, with
 * eight clients sending requests all along and a few long streams open. The file is rewritten to weights 1:9: no
 * request fails, the split follows the new weights, and the streams that ran across the reload end with
 * {@code [DONE]}. Then broken files (bad YAML, an unknown supplier): the running configuration stays and keeps
 * serving.
 */
class RouterReloadTest {
    static final String MODEL = "tiny";
    static final int CLIENTS = 8;
    static final int MAX_TOKENS = 4;
    /** Requests counted in each phase, at least. */
    static final int BEFORE_RELOAD = 120;
    static final int AFTER_RELOAD = 200;
    static final int AFTER_BROKEN_FILES = 80;
    static final int LONG_STREAMS = 4;
    static final int LONG_STREAM_TOKENS = 12;
    /** The router's deadline: the suppliers' total timeout (long, as the long streams are held open meanwhile). */
    static final Duration ROUTER_DEADLINE = Duration.ofSeconds(120);
    static final Duration CLIENT_TIMEOUT = ROUTER_DEADLINE.plusSeconds(30);

    /** Where the run stands when a request is sent and when it ends. */
    enum Phase { BEFORE, RELOADING, AFTER }

    /** One load request: the phases it was sent and ended in, and how it ended. */
    record Call(Phase sent, Phase ended, Ending ending) {
    }

    @TempDir
    Path dir;
    Path file;
    FakeUpstream a;
    FakeUpstream b;
    Serving serving;
    RoutedCalls calls;
    final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
    volatile Phase phase = Phase.BEFORE;
    volatile boolean loading = true;

    @BeforeEach
    void start() throws Exception {
        a = FakeUpstream.start();
        b = FakeUpstream.start();
        file = dir.resolve("junction.yaml");
        Files.writeString(file, config(1, 1));
        serving = RouterTestSupport.start(file);
        calls = new RoutedCalls(serving.baseUri(), MODEL, CLIENT_TIMEOUT);
    }

    @AfterEach
    void stop() {
        readers.close();
        if (calls != null) calls.close();
        if (serving != null) serving.close();
        a.close();
        b.close();
    }

    String config(int weightA, int weightB) {
        String timeouts = "{connect: 2s, first_token: 30s, idle: 60s, total: " + ROUTER_DEADLINE.toSeconds() + "s}";
        return """
                suppliers:
                  a: {kind: openai, url: '%s', timeouts: %s}
                  b: {kind: openai, url: '%s', timeouts: %s}
                models:
                  %s:
                    strategy: weighted
                    deployments:
                      - {supplier: a, model: up-model, weight: %d}
                      - {supplier: b, model: up-model, weight: %d}
                """.formatted(a.openAiBaseUri(), timeouts, b.openAiBaseUri(), timeouts, MODEL, weightA, weightB);
    }

    @Test
    void newWeightsUnderLoadFailNoRequestAndBrokenFilesKeepTheRunningConfiguration() throws Exception {
        List<LongStream> longStreams = openLongStreams();
        List<Call> load = new CopyOnWriteArrayList<>();
        List<Thread> clients = startLoad(load);
        try {
            awaitCalls(load, Phase.BEFORE, BEFORE_RELOAD);

            phase = Phase.RELOADING;
            RouterTestSupport.write(file, config(1, 9));
            serving.reload();
            RouterConfig reloaded = RouterTestSupport.router(serving).config();
            assertThat(weights(reloaded)).containsExactly(1, 9);
            phase = Phase.AFTER;
            awaitCalls(load, Phase.AFTER, AFTER_RELOAD);

            RouterTestSupport.write(file, "suppliers:\n  a: {kind: openai, url: [\n");
            serving.reload();
            assertThat(RouterTestSupport.router(serving).config()).as("after bad YAML").isSameAs(reloaded);
            RouterTestSupport.write(file, config(1, 9).replace("supplier: b,", "supplier: c,"));
            serving.reload();
            assertThat(RouterTestSupport.router(serving).config()).as("after an unknown supplier").isSameAs(reloaded);
            assertThat(Stream.of("a", "b").map(s -> RouterTestSupport.deployment(serving, s).weight()))
                    .as("the weights routed by").containsExactly(1, 9);
            awaitCalls(load, Phase.AFTER, AFTER_RELOAD + AFTER_BROKEN_FILES);
        } finally {
            loading = false;
            for (Thread t : clients) t.join(CLIENT_TIMEOUT.plusSeconds(10).toMillis());
        }

        assertThat(longStreams).as("still open after the reload").noneMatch(s -> s.ending().isDone());
        longStreams.forEach(s -> s.gate().open());
        for (LongStream s : longStreams) {
            Ending e = s.ending().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e.outcome()).as("%s", e).isEqualTo(Outcome.STREAMED);
        }

        Map<String, Long> before = split(load.stream().filter(c -> c.ended() == Phase.BEFORE));
        Map<String, Long> after = split(load.stream().filter(c -> c.sent() == Phase.AFTER));
        System.out.printf("reload under load: %d requests; before (1:1) %s, after (1:9) %s; long streams: %d%n",
                load.size(), before, after, longStreams.size());
        assertThat(load).as("requests that failed").filteredOn(c -> !c.ending().outcome().succeeded()).isEmpty();
        long beforeTotal = before.values().stream().mapToLong(Long::longValue).sum();
        assertThat(before.getOrDefault("a", 0L)).as("a's share at 1:1 of %s", before)
                .isBetween(beforeTotal / 5, beforeTotal * 4 / 5);
        long afterTotal = after.values().stream().mapToLong(Long::longValue).sum();
        assertThat(after.getOrDefault("a", 0L)).as("a's share at 1:9 of %s", after)
                .isPositive().isLessThanOrEqualTo(afterTotal / 4);
        assertThat(RouterTestSupport.await(() -> RouterTestSupport.nothingInFlight(serving), Duration.ofSeconds(10)))
                .as("nothing left in flight").isTrue();
        assertThat(RouterTestSupport.router(serving).view().deployments()).allSatisfy(d ->
                assertThat(d.breaker().transitions()).as("%s's breaker changes", d.supplier()).isZero());
    }

    /** A stream kept open by its own gate after its first chunk. */
    record LongStream(EventGate gate, CompletableFuture<Ending> ending) {
    }

    /**
     * {@link #LONG_STREAMS} streams, each held by its own gate (whichever upstream it went to) once its first chunk
     * reached the client; the upstreams then answer everything else at once.
     */
    List<LongStream> openLongStreams() throws Exception {
        Ask ask = new Ask(true, true, false, LONG_STREAM_TOKENS);
        List<LongStream> streams = new ArrayList<>();
        for (int i = 0; i < LONG_STREAMS; i++) {
            EventGate gate = new EventGate();
            a.fault(Fault.gated(gate));
            b.fault(Fault.gated(gate));
            CountDownLatch firstChunk = new CountDownLatch(1);
            CompletableFuture<Ending> ending = calls.open(ask).thenApplyAsync(r -> readAll(ask, r, firstChunk),
                    readers);
            int received = i + 1;
            assertThat(RouterTestSupport.await(() -> RouterTestSupport.completionsReceived(a, b) == received,
                    Duration.ofSeconds(30))).isTrue();
            gate.release();
            assertThat(firstChunk.await(30, TimeUnit.SECONDS)).as("first chunk of long stream %d", i).isTrue();
            streams.add(new LongStream(gate, ending));
        }
        a.healthy();
        b.healthy();
        return streams;
    }

    /** The stream's lines as they come, telling {@code firstChunk} when the first event arrived. */
    static Ending readAll(Ask ask, HttpResponse<Stream<String>> response, CountDownLatch firstChunk) {
        List<String> lines = new ArrayList<>();
        try (Stream<String> body = response.body()) {
            body.forEach(line -> {
                lines.add(line);
                if (line.startsWith("data: ")) firstChunk.countDown();
            });
        }
        return RoutedCalls.read(ask, response, lines);
    }

    /** {@link #CLIENTS} threads, each sending one request after the other while {@link #loading}. */
    List<Thread> startLoad(List<Call> load) {
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            int client = t;
            clients.add(Thread.ofVirtual().name("load-" + t).start(() -> {
                for (int i = client; loading; i += CLIENTS) {
                    Phase sent = phase;
                    try {
                        Ending e = calls.call(Ask.mixed(i, MAX_TOKENS));
                        load.add(new Call(sent, phase, e));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        return clients;
    }

    static void awaitCalls(List<Call> load, Phase sent, int count) throws InterruptedException {
        assertThat(RouterTestSupport.await(() -> load.stream().filter(c -> c.sent() == sent).count() >= count,
                Duration.ofSeconds(60))).as("%d requests sent %s", count, sent).isTrue();
    }

    static Map<String, Long> split(Stream<Call> calls) {
        return calls.collect(Collectors.groupingBy(c -> c.ending().supplier(), Collectors.counting()));
    }

    static List<Integer> weights(RouterConfig config) {
        return config.models().get(MODEL).deployments().stream().map(ModelConfig.Deployment::weight).toList();
    }
}
