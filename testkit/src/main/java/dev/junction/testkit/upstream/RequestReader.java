package dev.junction.testkit.upstream;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads HTTP/1.1 requests off one connection: the request line, the headers, and a body framed by
 * {@code Content-Length} or {@code Transfer-Encoding: chunked} (answering {@code Expect: 100-continue} first).
 * Strict where a lenient server would hide a client's mistake: a malformed request is a {@link BadRequest}.
 */
final class RequestReader {
    static final int MAX_LINE_BYTES = 16 * 1024;
    static final int MAX_HEADER_COUNT = 200;
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    /** A request read in full, and whether its client lets the connection carry another one. */
    record Incoming(ReceivedRequest request, Persistence persistence) {}

    /** A request this reader refuses; the connection answers {@code status} and closes. */
    static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final InputStream in;
    private final OutputStream out;
    private final int connection;

    /** {@code in} should be buffered; {@code out} is only used for {@code 100 Continue}. */
    RequestReader(InputStream in, OutputStream out, int connection) {
        this.in = in;
        this.out = out;
        this.connection = connection;
    }

    /** The next request, or empty when the client closed the connection cleanly instead of sending one. */
    Optional<Incoming> next() throws IOException, BadRequest {
        String requestLine = readLine(true);
        if (requestLine == null) return Optional.empty();
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !parts[1].startsWith("/") || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequest(400, "malformed request line: " + requestLine);
        }
        Map<String, List<String>> headers = readHeaders();
        byte[] body = readBody(headers);
        var request = new ReceivedRequest(connection, parts[0], parts[1], headers, body);
        return Optional.of(new Incoming(request, persistence(parts[2], headers)));
    }

    private Map<String, List<String>> readHeaders() throws IOException, BadRequest {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int count = 0; ; count++) {
            String line = readLine(false);
            if (line.isEmpty()) return headers;
            if (count == MAX_HEADER_COUNT) throw new BadRequest(431, "more than " + MAX_HEADER_COUNT + " headers");
            int colon = line.indexOf(':');
            if (colon <= 0 || Character.isWhitespace(line.charAt(0)) || Character.isWhitespace(line.charAt(colon - 1))) {
                throw new BadRequest(400, "malformed header line: " + line);
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(name, n -> new ArrayList<>()).add(line.substring(colon + 1).strip());
        }
    }

    private byte[] readBody(Map<String, List<String>> headers) throws IOException, BadRequest {
        List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
        List<String> length = headers.getOrDefault("content-length", List.of());
        if (!encoding.isEmpty() && !length.isEmpty()) {
            throw new BadRequest(400, "both Transfer-Encoding and Content-Length");
        }
        if (!encoding.isEmpty() && !(encoding.size() == 1 && encoding.getFirst().equalsIgnoreCase("chunked"))) {
            throw new BadRequest(501, "unsupported Transfer-Encoding: " + encoding);
        }
        if (encoding.isEmpty() && length.isEmpty()) return new byte[0];
        if (headers.getOrDefault("expect", List.of()).stream().anyMatch(v -> v.equalsIgnoreCase("100-continue"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        return encoding.isEmpty() ? readFixed(contentLength(length)) : readChunked();
    }

    private static int contentLength(List<String> values) throws BadRequest {
        if (values.stream().distinct().count() != 1) throw new BadRequest(400, "conflicting Content-Length: " + values);
        String value = values.getFirst();
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BadRequest(400, "malformed Content-Length: " + value);
        }
        long n = value.length() > 10 ? Long.MAX_VALUE : Long.parseLong(value);
        if (n > MAX_BODY_BYTES) throw new BadRequest(413, "body of " + value + " bytes is over " + MAX_BODY_BYTES);
        return (int) n;
    }

    private byte[] readFixed(int n) throws IOException {
        byte[] body = in.readNBytes(n);
        if (body.length < n) throw new EOFException("body ended after " + body.length + " of " + n + " bytes");
        return body;
    }

    private byte[] readChunked() throws IOException, BadRequest {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(false);
            int semicolon = sizeLine.indexOf(';'); // chunk extensions are ignored
            String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "malformed chunk size: " + sizeLine);
            }
            if (size < 0 || body.size() + (long) size > MAX_BODY_BYTES) {
                throw new BadRequest(413, "chunked body over " + MAX_BODY_BYTES + " bytes");
            }
            if (size == 0) {
                while (!readLine(false).isEmpty()) {
                    // trailer fields are read and dropped
                }
                return body.toByteArray();
            }
            body.write(readFixed(size));
            if (!readLine(false).isEmpty()) throw new BadRequest(400, "chunk data longer than its size");
        }
    }

    private static Persistence persistence(String version, Map<String, List<String>> headers) {
        List<String> tokens = headers.getOrDefault("connection", List.of()).stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(t -> t.strip().toLowerCase(Locale.ROOT))
                .toList();
        if (tokens.contains("close")) return Persistence.CLOSE;
        if (version.equals("HTTP/1.0") && !tokens.contains("keep-alive")) return Persistence.CLOSE;
        return Persistence.KEEP_ALIVE;
    }

    /**
     * One line without its CRLF (a bare LF is accepted), as ISO-8859-1. At the end of the stream: {@code null}
     * when {@code endAllowed} and nothing was read, otherwise an {@link EOFException}.
     */
    private String readLine(boolean endAllowed) throws IOException, BadRequest {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (endAllowed && line.size() == 0) return null;
                throw new EOFException("connection closed inside a request");
            }
            if (b == '\n') break;
            if (line.size() == MAX_LINE_BYTES) throw new BadRequest(431, "line longer than " + MAX_LINE_BYTES + " bytes");
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }
}
