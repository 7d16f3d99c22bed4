package dev.junction.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 connection held open by hand: for what a client library hides — reusing a connection opened before
 * the server began to stop, or walking away in the middle of a stream.
 */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Sends a request and returns as soon as it is written. */
    void send(String method, String path, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    /** Sends the head of a request announcing {@code declaredLength} body bytes, and only {@code body}. */
    void sendPart(String method, String path, int declaredLength, String body) throws IOException {
        out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + declaredLength + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads one line, without its line break. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("connection closed");
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Reads a response with a Content-Length body; returns its status. */
    int readStatusAndSkipBody() throws IOException {
        int status = Integer.parseInt(readLine().split(" ")[1]);
        int length = 0;
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(header.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return status;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
