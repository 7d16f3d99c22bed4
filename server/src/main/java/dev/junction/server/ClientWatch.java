package dev.junction.server;

import dev.junction.inference.InferenceException;
import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Notices that the client closed its connection while nothing is being written to it — a non-streaming request
 * while its answer is generated, a streaming one until its first event — so the generation stops within a step
 * instead of running (or waiting in the queue) for nobody.
 *
 * <p>A stream under way finds out at its next write; until then nothing is written, and an
 * HTTP/1.1 server learns of a closed connection only by reading it — which Jetty does not do while a request is
 * handled. So the watch asks the connection's end point to report when it becomes readable: a client waiting for its
 * answer sends nothing, so the connection turning readable with no bytes to read is the end of its input (or a reset).
 * Bytes mean a pipelined next request and are left for Jetty. A selector may also report a readiness that has
 * passed (seen under load: the watch registered just after a select that found the request's own bytes), so
 * nothing to read counts only when a second look, asked for at once, finds nothing either: the end of input stays
 * readable, a passed readiness does not come back. HTTP/2 resets reach the request's failure listeners,
 * which the watch also hears. Closing the watch withdraws its read interest, so Jetty can read the next request.
 * (A client that shuts down its sending side and still waits for the answer reads as gone; HTTP clients do not.)
 */
final class ClientWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientWatch.class);

    /** How a watch withdraws its read interest; one instance without a stack trace, as it is no error. */
    private static final CancellationException ANSWERED = answered();

    private final Runnable onGone;
    private final AtomicBoolean gone = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Whether the connection was found readable with nothing to read once already. */
    private final AtomicBoolean foundNothing = new AtomicBoolean();
    private AbstractEndPoint endPoint;

    private ClientWatch(Runnable onGone) {
        this.onGone = onGone;
    }

    /**
     * Waits for every choice of a non-streaming request, cancelling them if the client leaves meanwhile.
     *
     * @return the results, or null when the client left (the disconnect is counted; there is no one to answer)
     */
    static List<Choices.Result> collect(Context ctx, Choices choices, ServerMetrics metrics)
            throws InterruptedException {
        return whileWatching(ctx, choices, metrics, "before its answer", choices::collect);
    }

    /**
     * Waits for the first event of a streaming request — which may be queued or computing its prompt for a while —
     * cancelling its choices if the client leaves meanwhile.
     *
     * @return the event, or null when the client left (the disconnect is counted)
     */
    static Choices.Event first(Context ctx, Choices choices, ServerMetrics metrics) throws InterruptedException {
        return whileWatching(ctx, choices, metrics, "before its stream started", choices::next);
    }

    /** Something a request's thread waits for while nothing is written to the client. */
    private interface Wait<T> {
        T get() throws InterruptedException;
    }

    private static <T> T whileWatching(Context ctx, Choices choices, ServerMetrics metrics, String when,
                                       Wait<T> wait) throws InterruptedException {
        try (ClientWatch watch = start(ctx, choices::cancelAll)) {
            try {
                T result = wait.get();
                if (!watch.gone.get()) return result;
            } catch (InferenceException e) {
                if (!watch.gone.get()) throw e;
            }
        }
        metrics.clientDisconnected();
        log.debug("Client went away {}; its generations were cancelled", when);
        return null;
    }

    /**
     * Starts watching the connection of {@code ctx}; {@code onGone} runs at most once, on a server thread, unless the
     * watch is closed first.
     */
    static ClientWatch start(Context ctx, Runnable onGone) {
        ClientWatch watch = new ClientWatch(onGone);
        var request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) return watch;
        request.addFailureListener(failure -> watch.left());
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        if (endPoint instanceof AbstractEndPoint ep && ep.getTransport() instanceof SocketChannel channel) {
            if (ep.tryFillInterested(watch.readableCallback(ep, channel))) watch.endPoint = ep;
        }
        return watch;
    }

    private Callback readableCallback(AbstractEndPoint ep, SocketChannel channel) {
        return Callback.from(() -> readable(ep, channel), failure -> {
        });
    }

    private static CancellationException answered() {
        CancellationException e = new CancellationException("the request is answered");
        e.setStackTrace(new StackTraceElement[0]);
        return e;
    }

    /** Whether the client was seen to leave. */
    boolean gone() {
        return gone.get();
    }

    private void readable(AbstractEndPoint ep, SocketChannel channel) {
        if (closed.get()) return;
        int pending;
        try {
            pending = channel.socket().getInputStream().available();
        } catch (IOException e) { // reset or closed
            left();
            return;
        }
        if (pending > 0) return; // a pipelined next request: Jetty's
        if (foundNothing.getAndSet(true)) {
            left();
            return;
        }
        // Under the lock close() takes, so a closed watch never registers again: a withdrawal made after the close
        // could fail the read interest Jetty registers for the next request once the answer is out, and Jetty would
        // drop the connection with that request unanswered.
        synchronized (this) {
            if (!closed.get()) ep.tryFillInterested(readableCallback(ep, channel));
        }
    }

    private void left() {
        if (closed.get() || !gone.compareAndSet(false, true)) return;
        onGone.run();
    }

    @Override
    public synchronized void close() {
        if (closed.compareAndSet(false, true) && endPoint != null) withdraw(endPoint);
    }

    private static void withdraw(AbstractEndPoint ep) {
        ep.getFillInterest().onFail(ANSWERED);
    }
}
