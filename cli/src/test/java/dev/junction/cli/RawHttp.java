package dev.junction.cli;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * HTTP/1.1 spoken over a plain socket's streams, for tests that decide exactly when a connection closes: a request
 * is bytes that can be sent in part, and a response is read piece by piece (status and headers, then the body).
 * Requests ask for {@code Connection: close}, so a body without a length ends with the connection.
 */
final class RawHttp {
    private RawHttp() {
    }

    /** A response's status line and headers (names in lower case). */
    record Head(int status, Map<String, String> headers) {
    }

    record Reply(Head head, String body) {
        int status() {
            return head.status();
        }
    }

    /** A JSON POST to the loopback server. */
    static byte[] post(String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] request = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, request, 0, head.length());
        System.arraycopy(body, 0, request, head.length(), body.length);
        return request;
    }

    static Head readHead(InputStream in) throws IOException {
        String status = readLine(in);
        if (!status.startsWith("HTTP/1.1 ")) throw new IOException("not an HTTP/1.1 status line: " + status);
        Map<String, String> headers = new HashMap<>();
        for (String line; !(line = readLine(in)).isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
        }
        return new Head(Integer.parseInt(status.substring(9, 12)), headers);
    }

    /** A whole response: its body by Content-Length, chunked, or up to the end of the connection. */
    static Reply readReply(InputStream in) throws IOException {
        Head head = readHead(in);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = head.headers().get("content-length");
        if (length != null) {
            body.write(readExactly(in, Integer.parseInt(length)));
        } else if ("chunked".equalsIgnoreCase(head.headers().get("transfer-encoding"))) {
            for (int size; (size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16)) > 0; ) {
                body.write(readExactly(in, size));
                readLine(in); // the CRLF after the chunk
            }
            while (!readLine(in).isEmpty()) { // trailers
            }
        } else {
            in.transferTo(body);
        }
        return new Reply(head, body.toString(StandardCharsets.UTF_8));
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) throw new EOFException("the connection ended mid-body");
        return bytes;
    }

    /** One line without its CRLF (or LF); the connection ending first is an error. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) throw new EOFException("the connection ended mid-line");
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
