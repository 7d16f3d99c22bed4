package dev.junction.openai;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Server-sent events as the OpenAI API streams them: every event is one {@code data: <json>} line and a blank line,
 * and the stream ends with {@code data: [DONE]}. The decoder follows the SSE rules a client needs (comment lines and
 * other fields skipped, several data lines joined with newlines), so it also reads other OpenAI-compatible servers.
 */
public final class ServerSentEvents {
    /** The data of the event that ends an OpenAI stream. */
    public static final String DONE = "[DONE]";

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private ServerSentEvents() {
    }

    /** One event carrying {@code data}, which must not contain a line break (compact JSON never does). */
    public static byte[] encode(byte[] data) {
        byte[] event = new byte[DATA.length + data.length + END.length];
        System.arraycopy(DATA, 0, event, 0, DATA.length);
        System.arraycopy(data, 0, event, DATA.length, data.length);
        System.arraycopy(END, 0, event, DATA.length + data.length, END.length);
        return event;
    }

    /** {@code data: [DONE]}. */
    public static byte[] done() {
        return encode(DONE.getBytes(StandardCharsets.US_ASCII));
    }

    /** The data of every event in a complete stream, {@code [DONE]} included. */
    public static List<String> decodeAll(String stream) {
        Decoder decoder = new Decoder(new BufferedReader(new StringReader(stream)));
        List<String> events = new ArrayList<>();
        for (String data = decoder.next(); data != null; data = decoder.next()) events.add(data);
        return events;
    }

    /** Reads events one at a time from a live stream. Not thread-safe. */
    public static final class Decoder {
        private final BufferedReader reader;

        public Decoder(BufferedReader reader) {
            this.reader = reader;
        }

        /** The next event's data ({@code [DONE]} included), or null at the end of the stream. */
        public String next() {
            try {
                StringBuilder data = null;
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.isEmpty()) {
                        if (data != null) return data.toString();
                        continue;
                    }
                    if (!line.startsWith("data:")) continue; // comments, event:, id:, retry:
                    String value = line.substring(5);
                    if (value.startsWith(" ")) value = value.substring(1);
                    if (data == null) data = new StringBuilder(value);
                    else data.append('\n').append(value);
                }
                return data == null ? null : data.toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
