package dev.junction.testkit.upstream;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How {@link FakeUpstream} answers one request. Each request gets exactly one behaviour, taken from the schedule
 * that {@link FakeUpstream#fault(Fault)} sets; every fault reads the whole request first (so it is recorded).
 *
 * <p>The stream faults count <em>events</em>: the {@code data:} lines of a streamed answer, one per token, then the
 * chunk with {@code finish_reason}, then the usage chunk when it was asked for, then {@code data: [DONE]}. "After
 * k" means after the first k events; k is capped so that {@code [DONE]} is never among them. A plain (not
 * streamed) answer under a stream fault is cut or stalled after its headers and the first half of its body.
 */
public sealed interface Fault {

    /** The normal answer. */
    record Healthy() implements Fault {}

    /** The normal answer, late: a pause before the first byte, and one before each event after the first. */
    record Slow(Duration beforeFirstByte, Duration betweenEvents) implements Fault {
        public Slow {
            requireNonNegative(beforeFirstByte);
            requireNonNegative(betweenEvents);
        }
    }

    /** Reads the request, then sends nothing and keeps the connection open until the client or {@code stop()} closes it. */
    record NeverAnswer() implements Fault {}

    /**
     * An error status with an OpenAI-shaped error body ({@code {"error":{"message",...}}}) whose message contains
     * {@link FakeUpstream#INTERNAL_MARKER}, and a {@code Retry-After} header in seconds when one is given.
     */
    record HttpError(int status, OptionalInt retryAfterSeconds) implements Fault {
        public HttpError {
            if (status < 400 || status > 599) throw new IllegalArgumentException("not an error status: " + status);
            Objects.requireNonNull(retryAfterSeconds);
        }

        /** The same error with {@code Retry-After: seconds}. */
        public HttpError retryAfter(int seconds) {
            if (seconds < 0) throw new IllegalArgumentException("negative Retry-After: " + seconds);
            return new HttpError(status, OptionalInt.of(seconds));
        }
    }

    /**
     * A complete 200 whose body is an HTML page: the content type is the one the client expects
     * ({@code application/json}, or {@code text/event-stream} for a streamed request), the content is not.
     */
    record NotJson() implements Fault {}

    /** Bytes that are not an HTTP response at all, then the connection closes. */
    record NotHttp() implements Fault {}

    /** Sends the first {@code afterEvents} events, then ends the connection the given way, mid-stream. */
    record CutStream(int afterEvents, Cut how) implements Fault {
        public CutStream {
            requireCount(afterEvents);
            Objects.requireNonNull(how);
        }
    }

    /** How {@link CutStream} ends a connection. */
    enum Cut {
        /** An orderly close (FIN): a chunked stream lacks its last chunk, a close-delimited one just ends. */
        CLOSE,
        /** A reset (RST, by closing with {@code SO_LINGER} 0): the client's next read fails. */
        RESET
    }

    /**
     * After {@code afterEvents} good events, a {@code data:} line whose JSON is broken; then the rest of the
     * stream and {@code [DONE]} as usual, so the broken event is the only defect. A plain answer gets a body that
     * is not JSON.
     */
    record MalformedEvent(int afterEvents) implements Fault {
        public MalformedEvent {
            requireCount(afterEvents);
        }
    }

    /** Sends the first {@code afterEvents} events, then nothing more, keeping the connection open until it is closed. */
    record Stall(int afterEvents) implements Fault {
        public Stall {
            requireCount(afterEvents);
        }
    }

    /** Reads the request and closes the connection without a byte of answer. */
    record CloseBeforeAnswer() implements Fault {}

    /**
     * The normal answer, paced by the test: the headers go at once, then each event (and a plain body) waits
     * for a permit of {@code gate}, so a test can read one event before the next one may be sent.
     */
    record Gated(EventGate gate) implements Fault {
        public Gated {
            Objects.requireNonNull(gate);
        }
    }

    static Fault healthy() {
        return new Healthy();
    }

    static Fault slow(Duration beforeFirstByte) {
        return new Slow(beforeFirstByte, Duration.ZERO);
    }

    static Fault slow(Duration beforeFirstByte, Duration betweenEvents) {
        return new Slow(beforeFirstByte, betweenEvents);
    }

    static Fault neverAnswer() {
        return new NeverAnswer();
    }

    /** {@code http(500)}, or {@code http(429).retryAfter(2)}. */
    static HttpError http(int status) {
        return new HttpError(status, OptionalInt.empty());
    }

    static Fault notJson() {
        return new NotJson();
    }

    static Fault notHttp() {
        return new NotHttp();
    }

    static Fault cutAfter(int events) {
        return new CutStream(events, Cut.CLOSE);
    }

    static Fault resetAfter(int events) {
        return new CutStream(events, Cut.RESET);
    }

    static Fault malformedAfter(int events) {
        return new MalformedEvent(events);
    }

    static Fault stallAfter(int events) {
        return new Stall(events);
    }

    static Fault closeBeforeAnswer() {
        return new CloseBeforeAnswer();
    }

    static Fault gated(EventGate gate) {
        return new Gated(gate);
    }

    private static void requireNonNegative(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("negative duration: " + d);
    }

    private static void requireCount(int events) {
        if (events < 0) throw new IllegalArgumentException("negative event count: " + events);
    }
}
