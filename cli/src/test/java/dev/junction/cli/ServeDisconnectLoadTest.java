package dev.junction.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.inference.ServiceStats;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.TestModels;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bursts of clients that hang up at random moments — while sending, right after, while waiting for the answer, in
 * the middle of a stream — against the real server and model, each burst ending with its connections cut mid-request
 * as a load generator's does, among clients that read their answers (a small queue makes some of them 429s, which
 * are fine). Afterwards: no 5xx, no error logged, nothing left running or waiting, the engine thread asleep (not
 * spinning), a plain request still answered, and the whole KV pool usable again.
 *
 * <p>The clients' choices come from a seed printed at the start and with any failure; {@code
 * -Djunction.loadtest.seed=N} repeats them (the timing, and so the races, differ from run to run).
 */
class ServeDisconnectLoadTest {
    private static final String MODEL = "stories260K";
    private static final int CONTEXT = 256;
    private static final int MAX_RUNNING = 4;
    private static final int BURSTS = 6;
    private static final int CONNECTIONS = 28;
    private static final Duration BURST = Duration.ofSeconds(2);
    /** The longest a client waits for a byte: a server that stops answering fails the test instead of hanging it. */
    private static final int READ_TIMEOUT_MILLIS = 15_000;
    private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(10);
    private static final List<String> MESSAGES = List.of("Tell me a story.", "What did the little dog find?",
            "Lily went to the park.", "Once upon a time");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one client does; all but the last two leave before their whole answer. */
    enum Client {
        HANGS_UP_WHILE_SENDING, HANGS_UP_AFTER_SENDING, HANGS_UP_WHILE_WAITING, CUTS_ITS_STREAM,
        READS_ITS_ANSWER, READS_ITS_STREAM;

        boolean streams() {
            return this == CUTS_ITS_STREAM || this == READS_ITS_STREAM;
        }
    }

    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final Map<Client, LongAdder> clients = new ConcurrentHashMap<>();
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();
    private int port;

    @Test
    @Timeout(240)
    void burstsOfClientsThatHangUpLeaveTheServerIdleAndServing() throws Exception {
        long seed = Long.getLong("junction.loadtest.seed", new Random().nextLong());
        System.out.println("ServeDisconnectLoadTest: seed " + seed);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        Set<Thread> enginesBefore = engineThreads();
        EngineConfig engine = EngineConfig.defaults().withContextLength(CONTEXT).withMaxRunning(MAX_RUNNING)
                .withMaxQueue(16); // the KV pool holds MAX_RUNNING whole contexts
        try (Serving serving = Serving.start(List.of(new Serving.NamedModel(MODEL, TestModels.stories260K())), engine,
                ServerConfig.defaults().withPort(0), 2, false, new PrintWriter(new StringWriter()))) {
            port = serving.port();
            Set<Thread> started = engineThreads();
            started.removeAll(enginesBefore);
            assertThat(started).as("the engine thread of this server").hasSize(1);
            Thread engineThread = started.iterator().next();

            Random random = new Random(seed);
            for (int b = 0; b < BURSTS; b++) burst(random);

            ServiceStats stats = awaitIdle(serving);
            System.out.println("ServeDisconnectLoadTest: statuses " + new TreeMap<>(statuses) + ", clients "
                    + new TreeMap<>(clients) + ", at the end " + stats);
            List<Thread.State> engineStates = sampleStates(engineThread);
            Map<String, Long> logged = alarming(log);
            SoftAssertions.assertSoftly(soft -> {
                soft.assertThat(List.copyOf(problems)).as("what the clients ran into").isEmpty();
                soft.assertThat(statuses.keySet()).as("statuses seen").allMatch(s -> s < 500).contains(200);
                soft.assertThat(stats.running()).as("sequences running at the end (%s)", stats).isZero();
                soft.assertThat(stats.queued()).as("requests waiting at the end (%s)", stats).isZero();
                soft.assertThat(engineStates).as("the idle engine thread's states over 200 ms")
                        .allMatch(s -> s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING);
                soft.assertThat(logged).as("errors and Junction's warnings logged").isEmpty();
            });

            problems.clear();
            RawHttp.Reply last = exchange(RawHttp.post("/v1/chat/completions", body("Tell me a story.", false)));
            assertThat(last.status()).as("a plain request after the load: %s", last).isEqualTo(200);
            check(Client.READS_ITS_ANSWER, last);
            assertThat(problems).as("the plain request after the load").isEmpty();
            assertWholeKvPoolIsFree(serving);
        } catch (AssertionError | Exception e) {
            throw new AssertionError("seed " + seed + " (-Djunction.loadtest.seed=" + seed + " repeats the clients' "
                    + "choices): " + (e instanceof AssertionError ? e.getMessage() : e.toString()), e);
        } finally {
            root.detachAppender(log);
        }
    }

    /**
     * What was logged at ERROR by anyone or at WARN by Junction's loggers, each message with its count. The libraries'
     * warnings are left out: Jetty may warn about a connection its client cut, which is what this test does on purpose.
     */
    private static Map<String, Long> alarming(ListAppender<ILoggingEvent> log) {
        List<ILoggingEvent> events;
        synchronized (log) { // the appender adds under this lock
            events = List.copyOf(log.list);
        }
        return events.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)
                        || e.getLevel() == Level.WARN && e.getLoggerName().startsWith("dev.junction"))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " (" + e.getThrowableProxy().getClassName() + ")"))
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    }

    /** {@link #CONNECTIONS} clients, each making requests one after another until the burst's time is up. */
    private void burst(Random random) throws InterruptedException {
        Connections connections = new Connections();
        long end = System.nanoTime() + BURST.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            Random own = new Random(random.nextLong());
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) request(own, connections);
            }));
        }
        Thread.sleep(BURST);
        connections.cutAll();
        for (Thread t : threads) {
            if (!t.join(Duration.ofSeconds(5))) problems.add("a client was still busy 5 s after its burst ended");
        }
    }

    private void request(Random random, Connections connections) {
        Client client = Client.values()[random.nextInt(Client.values().length)];
        byte[] request = RawHttp.post("/v1/chat/completions",
                body(MESSAGES.get(random.nextInt(MESSAGES.size())), client.streams()));
        try (Socket socket = connections.open(port)) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            if (random.nextBoolean()) socket.setSoLinger(true, 0); // half of them hang up with a reset
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            switch (client) {
                case HANGS_UP_WHILE_SENDING -> out.write(request, 0, 1 + random.nextInt(request.length - 1));
                case HANGS_UP_AFTER_SENDING -> out.write(request);
                case HANGS_UP_WHILE_WAITING -> {
                    out.write(request);
                    socket.setSoTimeout(1 + random.nextInt(300));
                    try {
                        count(RawHttp.readHead(in).status());
                    } catch (SocketTimeoutException waitedLongEnough) {
                        // hangs up without its answer
                    }
                }
                case CUTS_ITS_STREAM -> {
                    out.write(request);
                    count(RawHttp.readHead(in).status());
                    in.readNBytes(random.nextInt(4000)); // a few events, or all of a short stream
                }
                case READS_ITS_ANSWER, READS_ITS_STREAM -> {
                    out.write(request);
                    RawHttp.Reply reply = RawHttp.readReply(in);
                    count(reply.status());
                    if (!connections.cut()) check(client, reply); // else its end may be missing: the burst ended
                }
            }
            clients.computeIfAbsent(client, c -> new LongAdder()).increment();
        } catch (IOException e) {
            if (!connections.cut()) problems.add(client + ": " + e);
        }
    }

    private void count(int status) {
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    /** A whole answer: 200 with a well-formed completion or stream, or 429 with OpenAI's error body. */
    private void check(Client client, RawHttp.Reply reply) throws IOException {
        switch (reply.status()) {
            case 200 -> {
                if (client.streams()) checkStream(reply.body());
                else checkCompletion(JSON.readTree(reply.body()));
            }
            case 429 -> {
                JsonNode error = JSON.readTree(reply.body()).path("error");
                if (!error.path("message").isTextual() || !error.path("type").asText().equals("rate_limit_error")
                        || !reply.head().headers().containsKey("retry-after")) {
                    problems.add(client + ": a malformed 429: " + reply);
                }
            }
            default -> {
                if (reply.status() < 500) problems.add(client + ": unexpected " + reply); // 5xx are asserted apart
            }
        }
    }

    private void checkCompletion(JsonNode completion) {
        JsonNode choice = completion.path("choices").path(0);
        if (!completion.path("object").asText().equals("chat.completion")
                || !choice.path("message").path("content").isTextual()
                || !Set.of("stop", "length").contains(choice.path("finish_reason").asText())) {
            problems.add("a malformed completion: " + completion);
        }
    }

    private void checkStream(String body) throws IOException {
        List<String> events = Arrays.stream(body.split("\n\n")).filter(e -> !e.isBlank()).toList();
        if (events.isEmpty() || !events.getLast().equals("data: [DONE]")) {
            problems.add("a stream that does not end with [DONE]: " + body);
            return;
        }
        for (String event : events.subList(0, events.size() - 1)) {
            if (!event.startsWith("data: ")
                    || !JSON.readTree(event.substring(6)).path("object").asText().equals("chat.completion.chunk")) {
                problems.add("a malformed stream event: " + event);
            }
        }
    }

    private static String body(String message, boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + message + "\"}],"
                + "\"temperature\":0,\"max_tokens\":" + (stream ? 48 : 8) + (stream ? ",\"stream\":true}" : "}");
    }

    private RawHttp.Reply exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.getOutputStream().write(request);
            return RawHttp.readReply(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /**
     * Runs {@link #MAX_RUNNING} sequences as long as the context side by side: the pool holds exactly that many, so
     * they run without preemption only if no block is still held for a sequence that is gone. Each takes its last
     * block 15 tokens before its end, so a few steps between their admissions do not hide a missing block. (The
     * stats' used blocks cannot tell, as they count the blocks kept for prefix reuse.)
     */
    private void assertWholeKvPoolIsFree(Serving serving) throws Exception {
        long preemptions = serving.stats().preemptions();
        // "Once upon a time" is 5 tokens with BOS; end-of-text (2) is banned so that each runs to the context's end
        byte[] request = RawHttp.post("/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":\"Once upon a time\","
                + "\"max_tokens\":" + (CONTEXT - 5) + ",\"logit_bias\":{\"2\":-100}}");
        List<Future<RawHttp.Reply>> replies = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < MAX_RUNNING; i++) replies.add(clients.submit(() -> exchange(request)));
            for (Future<RawHttp.Reply> reply : replies) {
                RawHttp.Reply r = reply.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                assertThat(r.status()).as("a whole-context completion: %s", r).isEqualTo(200);
            }
        }
        assertThat(serving.stats().preemptions()).as("preemptions while the whole pool was in use")
                .isEqualTo(preemptions);
    }

    /** The stats once nothing runs or waits, or as they are when {@link #DRAIN_DEADLINE} has passed. */
    private static ServiceStats awaitIdle(Serving serving) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_DEADLINE.toNanos();
        ServiceStats stats = serving.stats();
        while ((stats.running() > 0 || stats.queued() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            stats = serving.stats();
        }
        return stats;
    }

    private static List<Thread.State> sampleStates(Thread thread) throws InterruptedException {
        List<Thread.State> states = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            if (i > 0) Thread.sleep(50);
            states.add(thread.getState());
        }
        return states;
    }

    private static Set<Thread> engineThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("junction-engine-" + MODEL)).collect(Collectors.toSet());
    }

    /** The sockets of one burst; cutting them all at once is how a load generator ends its run. */
    private static final class Connections {
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private volatile boolean cut;

        Socket open(int port) throws IOException {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            open.add(socket);
            if (cut) socket.close();
            return socket;
        }

        boolean cut() {
            return cut;
        }

        void cutAll() {
            cut = true;
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }
}
