package dev.junction.testkit.upstream;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One accepted connection, served on its own virtual thread: read a request, record it, answer it as the fault
 * it draws says, and go on while the connection stays usable. Ends when the client closes, when a fault ends the
 * connection, or when {@link #kill} is called.
 */
final class Connection implements Runnable {
    /** What a proxy's error page looks like: a 200 body that is no JSON. */
    static final byte[] NOT_JSON = "<html><body><h1>502 Bad Gateway</h1>fake upstream garbage</body></html>\n"
            .getBytes(StandardCharsets.US_ASCII);
    /** Bytes no HTTP client can read as a status line. */
    static final byte[] NOT_HTTP = "\u0000\u0017garbage, not HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    /** A {@code data:} event whose JSON breaks off. */
    static final String BROKEN_EVENT = "{\"id\":\"broken\",\"choices\":[{\"delta\":{\"content\":\"tok";

    /** Waits before the event with this index (0 is the first, or the body of a plain answer). */
    @FunctionalInterface
    private interface Pace {
        void before(int event) throws InterruptedException;
    }

    private static final Pace AT_ONCE = event -> {};

    private final FakeUpstream upstream;
    private final Socket socket;
    private final int id;
    private volatile Thread thread;

    Connection(FakeUpstream upstream, Socket socket, int id) {
        this.upstream = upstream;
        this.socket = socket;
        this.id = id;
    }

    /** Starts serving on a new virtual thread. */
    void start() {
        Thread t = Thread.ofVirtual().name("fake-upstream-connection-" + id).unstarted(this);
        thread = t;
        t.start();
    }

    /** Its number, from 1 per upstream, as {@link ReceivedRequest#connection} gives it. */
    int id() {
        return id;
    }

    /** Ends the connection at once, as a killed process would: the socket closes, the thread stops. */
    void kill() {
        closeQuietly();
        thread.interrupt();
    }

    /** Waits until the thread has ended. */
    boolean join(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    @Override
    public void run() {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            RequestReader reader = new RequestReader(in, out, id);
            AnswerWriter writer = new AnswerWriter(out, upstream.completedCounter());
            Persistence next = Persistence.KEEP_ALIVE;
            while (next == Persistence.KEEP_ALIVE) {
                next = serveOne(reader, writer, in);
            }
        } catch (IOException e) {
            // the client left, a fault ended the connection, or stop() closed it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop(): the thread ends here
        } finally {
            upstream.closed(this);
        }
    }

    private Persistence serveOne(RequestReader reader, AnswerWriter writer, InputStream in)
            throws IOException, InterruptedException {
        Optional<RequestReader.Incoming> next;
        try {
            next = reader.next();
        } catch (RequestReader.BadRequest e) {
            writer.refuse(e.status, OpenAiAnswers.errorBody(e.status, e.getMessage()).getBytes(StandardCharsets.UTF_8));
            return Persistence.CLOSE;
        }
        if (next.isEmpty()) return Persistence.CLOSE;
        ReceivedRequest request = next.get().request();
        long sequence = upstream.received(request);
        OpenAiAnswers.Reply reply = upstream.answers().reply(request, upstream.echo(), upstream.canned(), sequence);
        Fault fault = upstream.faultFor(reply.traffic());
        return answer(fault, reply.answer(), next.get().persistence(), writer, in);
    }

    private Persistence answer(Fault fault, Answer answer, Persistence asked, AnswerWriter writer, InputStream in)
            throws IOException, InterruptedException {
        return switch (fault) {
            case Fault.Healthy h -> send(answer, asked, writer, AT_ONCE);
            case Fault.Slow slow -> {
                Thread.sleep(slow.beforeFirstByte());
                yield send(answer, asked, writer, event -> {
                    if (event > 0) Thread.sleep(slow.betweenEvents());
                });
            }
            case Fault.Gated gated -> send(answer, asked, writer, event -> gated.gate().awaitPermit());
            case Fault.NeverAnswer n -> holdUntilClosed(in);
            case Fault.HttpError error -> {
                Map<String, String> headers = error.retryAfterSeconds().isPresent()
                        ? Map.of("retry-after", Integer.toString(error.retryAfterSeconds().getAsInt()))
                        : Map.of();
                String message = "injected fault: status " + error.status() + " [" + FakeUpstream.INTERNAL_MARKER + "]";
                byte[] body = OpenAiAnswers.errorBody(error.status(), message).getBytes(StandardCharsets.UTF_8);
                writer.plain(error.status(), AnswerWriter.JSON, body, headers, asked);
                yield asked;
            }
            case Fault.NotJson n -> {
                writer.plain(200, contentType(answer), NOT_JSON, Map.of(), asked);
                yield asked;
            }
            case Fault.NotHttp n -> {
                writer.raw(NOT_HTTP);
                yield Persistence.CLOSE;
            }
            case Fault.MalformedEvent m -> switch (answer) {
                case Answer.Stream s -> send(s.withBrokenEvent(m.afterEvents(), BROKEN_EVENT), asked, writer, AT_ONCE);
                case Answer.Plain p -> {
                    String half = p.body().substring(0, p.body().length() / 2);
                    yield send(new Answer.Plain(p.status(), half, p.headers()), asked, writer, AT_ONCE);
                }
            };
            case Fault.CutStream cut -> {
                sendPart(answer, cut.afterEvents(), writer);
                if (cut.how() == Fault.Cut.RESET) socket.setSoLinger(true, 0);
                socket.close();
                yield Persistence.CLOSE;
            }
            case Fault.Stall stall -> {
                sendPart(answer, stall.afterEvents(), writer);
                yield holdUntilClosed(in);
            }
            case Fault.CloseBeforeAnswer c -> Persistence.CLOSE;
        };
    }

    /** The whole answer, each event (or the plain body) after its pause. */
    private Persistence send(Answer answer, Persistence asked, AnswerWriter writer, Pace pace)
            throws IOException, InterruptedException {
        switch (answer) {
            case Answer.Plain p -> {
                byte[] body = p.body().getBytes(StandardCharsets.UTF_8);
                writer.plainHead(p.status(), AnswerWriter.JSON, body.length, p.headers(), asked);
                pace.before(0);
                writer.body(body);
                return asked;
            }
            case Answer.Stream s -> {
                StreamFraming framing = upstream.framing();
                AnswerWriter.EventStream stream = writer.beginStream(framing, s.headers(), asked);
                for (int i = 0; i < s.events().size(); i++) {
                    pace.before(i);
                    stream.event(s.events().get(i));
                }
                stream.finish();
                return framing == StreamFraming.CLOSE_DELIMITED ? Persistence.CLOSE : asked;
            }
        }
    }

    /** The head and the first {@code events} events of a stream, or the head and half the body of a plain answer. */
    private void sendPart(Answer answer, int events, AnswerWriter writer) throws IOException {
        switch (answer) {
            case Answer.Plain p -> {
                byte[] body = p.body().getBytes(StandardCharsets.UTF_8);
                writer.plainHead(p.status(), AnswerWriter.JSON, body.length, p.headers(), Persistence.KEEP_ALIVE);
                writer.bodyPart(body, 0, body.length / 2);
            }
            case Answer.Stream s -> {
                AnswerWriter.EventStream stream = writer.beginStream(upstream.framing(), s.headers(), Persistence.KEEP_ALIVE);
                for (int i = 0; i < s.capped(events); i++) stream.event(s.events().get(i));
            }
        }
    }

    /** Sends nothing and reads (and drops) whatever comes until the client or {@code stop()} closes the connection. */
    private static Persistence holdUntilClosed(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
        return Persistence.CLOSE;
    }

    private static String contentType(Answer answer) {
        return answer instanceof Answer.Stream ? AnswerWriter.EVENT_STREAM : AnswerWriter.JSON;
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }
}
