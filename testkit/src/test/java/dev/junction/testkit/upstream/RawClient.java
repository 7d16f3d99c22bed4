package dev.junction.testkit.upstream;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A bare socket to a fake upstream, for tests that must see the bytes themselves: framing, resets, silence. */
final class RawClient implements AutoCloseable {
    /** A status line and its headers (names in lower case, last value wins). */
    record Head(int status, Map<String, String> headers) {}

    /** The chunks of a chunked body as far as it went, and how reading failed when it did not reach the last chunk. */
    record Chunks(List<String> chunks, Optional<IOException> failure) {}

    private final Socket socket;
    private final BufferedInputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connected to {@code up}, with a generous read deadline so a broken test fails instead of hanging. */
    static RawClient connect(FakeUpstream up) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), up.port());
        socket.setSoTimeout(10_000);
        return new RawClient(socket);
    }

    /** A complete POST with a {@code Content-Length} body. */
    static String post(String target, String body) {
        int length = body.getBytes(StandardCharsets.UTF_8).length;
        return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + length + "\r\n\r\n" + body;
    }

    /** How long a read may wait before it fails with {@link java.net.SocketTimeoutException}. */
    void readDeadline(Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
    }

    RawClient send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    Head readHead() throws IOException {
        String statusLine = readLine();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        return new Head(Integer.parseInt(statusLine.split(" ")[1]), headers);
    }

    /** The next chunk of a chunked body as text, or null for the last (empty) chunk. */
    String readChunk() throws IOException {
        int size = Integer.parseInt(readLine().strip(), 16);
        if (size == 0) {
            readLine();
            return null;
        }
        String chunk = new String(readBytes(size), StandardCharsets.UTF_8);
        if (!readLine().isEmpty()) throw new IOException("chunk longer than its size");
        return chunk;
    }

    /** Chunks until the last one or until reading fails. */
    Chunks readChunks() {
        List<String> chunks = new ArrayList<>();
        try {
            for (String chunk = readChunk(); chunk != null; chunk = readChunk()) chunks.add(chunk);
            return new Chunks(chunks, Optional.empty());
        } catch (IOException e) {
            return new Chunks(chunks, Optional.of(e));
        }
    }

    byte[] readBytes(int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) throw new EOFException("got " + bytes.length + " of " + n + " bytes");
        return bytes;
    }

    /** Everything until the server closes the connection. */
    byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    /** One byte, or -1 at the end. */
    int read() throws IOException {
        return in.read();
    }

    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new EOFException("connection ended inside a line");
            line.write(b);
        }
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
