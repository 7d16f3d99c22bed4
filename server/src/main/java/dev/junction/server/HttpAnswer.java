package dev.junction.server;

import dev.junction.openai.ApiError;
import dev.junction.openai.CompletionUsage;
import dev.junction.openai.OpenAiJson;
import dev.junction.openai.relay.AnswerSink;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Duration;

/**
 * A relayed answer written to the HTTP response: {@code x-junction-supplier} and {@code x-junction-attempts} on every
 * answer, then a plain JSON body, or an event stream flushed event by event (nothing is held back), or an OpenAI
 * error — with its status before anything was written, as the stream's last event after. A write that fails means
 * the client has gone and is thrown as {@link ClientGone}.
 */
final class HttpAnswer implements AnswerSink {
    static final String SUPPLIER_HEADER = "x-junction-supplier";
    static final String ATTEMPTS_HEADER = "x-junction-attempts";

    /** The client closed the connection while its answer was written. */
    static final class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) {
            super("the client went away", cause, false, false);
        }
    }

    /** Where the answer stands: nothing written, a stream open, or ended. */
    private enum State { NOTHING_WRITTEN, STREAMING, ENDED }

    private final Context ctx;
    private final ApiCall call;
    private final ServerMetrics metrics;
    private ClientWatch watch;
    private CompletionUsage usage;
    private State state = State.NOTHING_WRITTEN;
    private EventStream stream;
    private boolean tried;

    HttpAnswer(Context ctx, ApiCall call, ServerMetrics metrics) {
        this.ctx = ctx;
        this.call = call;
        this.metrics = metrics;
    }

    /** The last usage the relay reported, or null. */
    CompletionUsage usage() {
        return usage;
    }

    @Override
    public void usage(CompletionUsage u) {
        this.usage = u;
    }

    /** Once the answer begins, a client leaving is noticed by the writes: the watch is closed then. */
    void closesOnBegin(ClientWatch w) {
        this.watch = w;
    }

    @Override
    public void attempt(String supplier, int attempts) {
        tried = true;
        call.supplier(supplier);
        ctx.header(SUPPLIER_HEADER, supplier);
        ctx.header(ATTEMPTS_HEADER, Integer.toString(attempts));
    }

    @Override
    public void begin(String supplier, int attempts) {
        if (watch != null) watch.close();
        attempt(supplier, attempts);
    }

    @Override
    public void event(String data) {
        try {
            stream().sendData(data);
            call.firstToken(metrics.now());
        } catch (EventStream.ClientGone e) {
            throw new ClientGone(e);
        }
    }

    @Override
    public void flush() {
        if (state != State.STREAMING) return;
        try {
            stream.flush();
        } catch (EventStream.ClientGone e) {
            throw new ClientGone(e);
        }
    }

    @Override
    public void endStream() {
        try {
            stream().finish();
        } catch (EventStream.ClientGone e) {
            throw new ClientGone(e);
        }
        state = State.ENDED;
    }

    @Override
    public void body(byte[] json) {
        ctx.status(200).contentType("application/json");
        try {
            var out = ctx.res().getOutputStream();
            out.write(json);
            out.flush();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        state = State.ENDED;
    }

    @Override
    public void fail(int status, String code, String message, Duration retryAfter) {
        if (watch != null) watch.close();
        ApiError error = new ApiError(message, status == 429 ? ApiError.RATE_LIMIT
                : status >= 500 ? ApiError.SERVER_ERROR : ApiError.INVALID_REQUEST, null, code);
        switch (state) {
            case STREAMING -> {
                call.failedMidway();
                try {
                    stream.send(error.body());
                    stream.finish();
                } catch (EventStream.ClientGone e) {
                    throw new ClientGone(e);
                }
            }
            case NOTHING_WRITTEN -> {
                if (!tried) ctx.header(ATTEMPTS_HEADER, "0"); // refused before any supplier was tried
                if (retryAfter != null) ctx.header("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
                ctx.status(status).contentType("application/json").result(OpenAiJson.write(error.body()));
            }
            case ENDED -> {
            }
        }
        state = State.ENDED;
    }

    private EventStream stream() throws EventStream.ClientGone {
        if (state == State.NOTHING_WRITTEN) {
            stream = EventStream.open(ctx.res());
            state = State.STREAMING;
        }
        return stream;
    }
}
