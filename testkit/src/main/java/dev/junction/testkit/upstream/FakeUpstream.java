package dev.junction.testkit.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * An OpenAI-compatible upstream for tests that misbehaves on demand: a real HTTP/1.1 server on 127.0.0.1, written
 * on plain sockets (one virtual thread per connection) so that a test controls every byte and every moment.
 *
 * <pre>{@code
 * try (FakeUpstream up = FakeUpstream.start()) {
 *     URI base = up.openAiBaseUri();                      // http://127.0.0.1:PORT/v1
 *     up.fault(Fault.cutAfter(3));                        // every following completion is cut after 3 events
 *     up.fault(Fault.http(429).retryAfter(2)).times(5);   // the next five get a 429, then all are healthy
 *     up.answerWith(new Canned(body, events));            // a fixed answer (a tool call, say) instead of the text
 *     up.requests();                                      // what it received
 *     up.stop();                                          // gone, as a killed process is
 *     up.restart();                                       // back on the same port
 * }
 * }</pre>
 *
 * <p>It serves {@code POST /v1/chat/completions} and {@code POST /v1/completions}, plain or streamed (SSE, one
 * token per event, a usage chunk when {@code stream_options.include_usage} asks for one, {@code [DONE]} last), the
 * same two on Azure OpenAI's paths ({@code /openai/deployments/{deployment}/...?api-version=...}, where the model is
 * the deployment), {@code GET /v1/models} and {@code GET /health}. The text is deterministic: token i is
 * {@code "tok<i> "}, as many as {@code max_tokens} (or {@code max_completion_tokens}) asks, finishing with
 * {@code "length"}, else {@link Builder#defaultMaxTokens} of them, finishing with {@code "stop"}. Usage is exact:
 * prompt tokens are the whitespace-separated words of the messages' text parts (chat) or of the prompt
 * (completions), completion tokens are the tokens sent.
 *
 * <p>{@link #fault} applies to completions, {@link #probeFault} to the health and model-list probes; other paths
 * (errors for unknown paths and methods) are never faulted. Keep-alive connections stay open until the client
 * closes them. Every request is recorded, body included, so one upstream serves one test.
 */
public final class FakeUpstream implements AutoCloseable {
    /** Every injected error's message contains this, so a test can check that an upstream's body never reaches a client. */
    public static final String INTERNAL_MARKER = "fake-upstream-internal-detail";
    /** The header that carries the received body in Base64 under {@link Echo#HEADER}. */
    public static final String ECHO_HEADER = "x-fake-upstream-echo";

    private static final int BACKLOG = 1024;
    private static final Duration THREAD_END = Duration.ofSeconds(10);

    private enum State { RUNNING, STOPPED, CLOSED }

    /** Options fixed for an upstream's life; faults, echo and framing can change at any time instead. */
    public static final class Builder {
        private int port;
        private List<String> models = List.of("fake-model");
        private int defaultMaxTokens = 8;

        private Builder() {}

        /** The port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("not a port: " + port);
            this.port = port;
            return this;
        }

        /** The models {@code GET /v1/models} lists (completions answer for any model name). */
        public Builder models(String... models) {
            if (models.length == 0) throw new IllegalArgumentException("at least one model");
            this.models = List.of(models);
            return this;
        }

        /** How many tokens an answer has when the request sets no {@code max_tokens} (default 8). */
        public Builder defaultMaxTokens(int tokens) {
            if (tokens < 1 || tokens > OpenAiAnswers.MAX_TOKENS_LIMIT) throw new IllegalArgumentException("tokens: " + tokens);
            this.defaultMaxTokens = tokens;
            return this;
        }

        /** Binds and starts serving. */
        public FakeUpstream start() {
            FakeUpstream upstream = new FakeUpstream(new OpenAiAnswers(models, defaultMaxTokens), port);
            upstream.listen();
            return upstream;
        }
    }

    private final OpenAiAnswers answers;
    private final FaultSchedule completionFaults = new FaultSchedule();
    private final FaultSchedule probeFaults = new FaultSchedule();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final List<ReceivedRequest> requests = new ArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private volatile Echo echo = Echo.OFF;
    private volatile Optional<Canned> canned = Optional.empty();
    private volatile StreamFraming framing = StreamFraming.CHUNKED;

    // guarded by this
    private State state = State.STOPPED;
    private int port;
    private ServerSocket listener;
    private Thread acceptor;

    private FakeUpstream(OpenAiAnswers answers, int port) {
        this.answers = answers;
        this.port = port;
    }

    /** A healthy upstream on a free port with the default options. */
    public static FakeUpstream start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public synchronized int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}: the root, as an Azure OpenAI resource URL is. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** {@code http://127.0.0.1:PORT/v1}: the base URL an OpenAI client is given. */
    public URI openAiBaseUri() {
        return URI.create(baseUri() + "/v1");
    }

    /** Completion requests from now on get {@code fault}, until {@link FaultSetting#times} limits it or another is set. */
    public FaultSetting fault(Fault fault) {
        return new FaultSetting(completionFaults, completionFaults.set(Objects.requireNonNull(fault)));
    }

    /** {@code GET /health} and {@code GET /v1/models} from now on get {@code fault} (they are healthy by default). */
    public FaultSetting probeFault(Fault fault) {
        return new FaultSetting(probeFaults, probeFaults.set(Objects.requireNonNull(fault)));
    }

    /** Everything healthy again. */
    public void healthy() {
        fault(Fault.healthy());
        probeFault(Fault.healthy());
    }

    /** Whether answers give back the body received. */
    public void echo(Echo mode) {
        this.echo = Objects.requireNonNull(mode);
    }

    /**
     * Completions from now on are answered with {@code answer} (its body, or its events when streamed) instead of the
     * generated text; faults still apply to it. {@link #generatedAnswers} goes back.
     */
    public void answerWith(Canned answer) {
        this.canned = Optional.of(answer);
    }

    /** Completions from now on get the generated text again (the default). */
    public void generatedAnswers() {
        this.canned = Optional.empty();
    }

    /** How streamed answers are delimited from now on (chunked by default). */
    public void framing(StreamFraming framing) {
        this.framing = Objects.requireNonNull(framing);
    }

    /** Every request received so far, oldest first. */
    public List<ReceivedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The latest request received; fails when there was none. */
    public ReceivedRequest lastRequest() {
        synchronized (requests) {
            if (requests.isEmpty()) throw new IllegalStateException("no request received yet");
            return requests.getLast();
        }
    }

    /** Requests read in full, whatever happened to them next. */
    public long requestsReceived() {
        return received.get();
    }

    /** Requests whose answer was sent in full (errors and garbage bodies included; cut, stalled or unanswered ones not). */
    public long requestsCompleted() {
        return completed.get();
    }

    /** Connections accepted and not yet closed. */
    public int openConnections() {
        return open.size();
    }

    /** Waits until exactly {@code count} connections are open; false when {@code timeout} passed first. */
    public boolean awaitOpenConnections(int count, Duration timeout) throws InterruptedException {
        return await(() -> open.size() == count, timeout);
    }

    /**
     * Waits until the connection numbered {@code connection} (see {@link ReceivedRequest#connection}) has closed,
     * whoever closed it; false when {@code timeout} passed first.
     */
    public boolean awaitConnectionClosed(int connection, Duration timeout) throws InterruptedException {
        return await(() -> open.stream().noneMatch(c -> c.id() == connection), timeout);
    }

    /** Waits until at least {@code count} requests were received; false when {@code timeout} passed first. */
    public boolean awaitRequestsReceived(long count, Duration timeout) throws InterruptedException {
        return await(() -> received.get() >= count, timeout);
    }

    /**
     * Closes the listening socket and every connection at once, as the network sees a killed process: new
     * connections are refused, open ones end mid-answer. Returns when every connection's thread has ended.
     */
    public synchronized void stop() {
        if (state != State.RUNNING) return;
        state = State.STOPPED;
        try {
            listener.close();
            joinOrFail(acceptor);
            List<Connection> killed = List.copyOf(open);
            killed.forEach(Connection::kill);
            for (Connection c : killed) {
                if (!c.join(THREAD_END)) throw new IllegalStateException("a connection thread did not end");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping", e);
        }
    }

    /** Stops if running, then listens again on the same port, with the same faults, settings and records. */
    public synchronized void restart() {
        stop();
        listen();
    }

    /** Stops for good. */
    @Override
    public synchronized void close() {
        stop();
        state = State.CLOSED;
    }

    @Override
    public String toString() {
        return "FakeUpstream[" + baseUri() + "]";
    }

    private synchronized void listen() {
        if (state == State.CLOSED) throw new IllegalStateException("closed");
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
            listener = socket;
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
        ServerSocket socket = listener;
        acceptor = Thread.ofVirtual().name("fake-upstream-accept-" + port).start(() -> acceptLoop(socket));
        state = State.RUNNING;
    }

    private void acceptLoop(ServerSocket socket) {
        while (true) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                return; // stop() closed the listening socket
            }
            Connection connection = new Connection(this, client, connectionIds.incrementAndGet());
            open.add(connection);
            connection.start();
        }
    }

    private static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) return false;
            Thread.sleep(5);
        }
        return true;
    }

    private static void joinOrFail(Thread thread) throws InterruptedException {
        if (!thread.join(THREAD_END)) throw new IllegalStateException(thread.getName() + " did not end");
    }

    // --- called by the connections

    OpenAiAnswers answers() {
        return answers;
    }

    Echo echo() {
        return echo;
    }

    Optional<Canned> canned() {
        return canned;
    }

    StreamFraming framing() {
        return framing;
    }

    Fault faultFor(OpenAiAnswers.Traffic traffic) {
        return switch (traffic) {
            case COMPLETION -> completionFaults.take();
            case PROBE -> probeFaults.take();
            case OTHER -> new Fault.Healthy();
        };
    }

    /** Records a request; its number, from 1. */
    long received(ReceivedRequest request) {
        synchronized (requests) {
            requests.add(request);
        }
        return received.incrementAndGet();
    }

    AtomicLong completedCounter() {
        return completed;
    }

    void closed(Connection connection) {
        open.remove(connection);
    }
}
