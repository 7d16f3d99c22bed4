package dev.junction.testkit.upstream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes HTTP/1.1 answers byte by byte as the fake upstream means them: a status line and headers, a body with a
 * {@code Content-Length} (all of it or only a part, for faults), an event stream framed by chunks or by the
 * connection's end, or raw bytes. Every method flushes before it returns, so what a test reads is what was sent.
 * An answer sent in full is counted just before its last bytes are flushed (and uncounted if that fails), so a
 * client holding a whole answer always finds it in the count.
 */
final class AnswerWriter {
    static final String JSON = "application/json";
    static final String EVENT_STREAM = "text/event-stream";

    private final OutputStream out;
    private final AtomicLong completed;

    /** {@code out} should be buffered: each call writes in small pieces, then flushes once. */
    AnswerWriter(OutputStream out, AtomicLong completed) {
        this.out = out;
        this.completed = completed;
    }

    /** A complete answer with a {@code Content-Length} body, counted. */
    void plain(int status, String contentType, byte[] body, Map<String, String> headers, Persistence ending) throws IOException {
        plainHead(status, contentType, body.length, headers, ending);
        out.write(body);
        complete();
    }

    /** The answer to a request that could not be read, so is not counted; the connection closes after it. */
    void refuse(int status, byte[] body) throws IOException {
        plainHead(status, JSON, body.length, Map.of(), Persistence.CLOSE);
        bodyPart(body, 0, body.length);
    }

    /** The status line and headers of an answer whose body of {@code length} bytes the caller then writes. */
    void plainHead(int status, String contentType, int length, Map<String, String> headers, Persistence ending)
            throws IOException {
        head(status, contentType, headers);
        header("content-length", Integer.toString(length));
        if (ending == Persistence.CLOSE) header("connection", "close");
        ascii("\r\n");
        out.flush();
    }

    /** {@code length} bytes of a body from {@code offset}, when they are not all of it. */
    void bodyPart(byte[] body, int offset, int length) throws IOException {
        out.write(body, offset, length);
        out.flush();
    }

    /** The body that {@link #plainHead} announced, all of it: the answer is complete and counted. */
    void body(byte[] body) throws IOException {
        out.write(body);
        complete();
    }

    /** Bytes as they are, e.g. ones that are not HTTP. */
    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends the head of a 200 event stream; the stream's events follow through the returned object. */
    EventStream beginStream(StreamFraming framing, Map<String, String> headers, Persistence ending) throws IOException {
        head(200, EVENT_STREAM, headers);
        header("cache-control", "no-cache");
        switch (framing) {
            case CHUNKED -> {
                header("transfer-encoding", "chunked");
                if (ending == Persistence.CLOSE) header("connection", "close");
            }
            case CLOSE_DELIMITED -> header("connection", "close");
        }
        ascii("\r\n");
        out.flush();
        return new EventStream(framing);
    }

    /** The events of one streamed answer. */
    final class EventStream {
        private final StreamFraming framing;

        private EventStream(StreamFraming framing) {
            this.framing = framing;
        }

        /** One {@code data:} event, flushed on its own. */
        void event(String data) throws IOException {
            byte[] bytes = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
            if (framing == StreamFraming.CHUNKED) ascii(Integer.toHexString(bytes.length) + "\r\n");
            out.write(bytes);
            if (framing == StreamFraming.CHUNKED) ascii("\r\n");
            out.flush();
        }

        /** Ends the body: the last chunk, or nothing when the connection's end delimits it; the answer is counted. */
        void finish() throws IOException {
            if (framing == StreamFraming.CHUNKED) ascii("0\r\n\r\n");
            complete();
        }
    }

    private void complete() throws IOException {
        completed.incrementAndGet();
        try {
            out.flush();
        } catch (IOException e) {
            completed.decrementAndGet();
            throw e;
        }
    }

    private void head(int status, String contentType, Map<String, String> headers) throws IOException {
        ascii("HTTP/1.1 " + status + " " + reason(status) + "\r\n");
        header("content-type", contentType);
        header("server", "junction-fake-upstream");
        for (var h : headers.entrySet()) header(h.getKey(), h.getValue());
    }

    private void header(String name, String value) throws IOException {
        ascii(name + ": " + value + "\r\n");
    }

    private void ascii(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status " + status;
        };
    }
}
