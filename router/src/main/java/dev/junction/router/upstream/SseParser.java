package dev.junction.router.upstream;


import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a {@code text/event-stream} into the data of its events as bytes arrive, in any pieces: lines end with CR,
 * LF or CRLF; {@code data:} lines of one event are joined with LF; an empty line dispatches the event; comments
 * ({@code :…}) and other fields ({@code event}, {@code id}, {@code retry}) are skipped. A line is decoded as UTF-8
 * only once whole, so a character split between two pieces is read right. Not thread-safe: one stream, one caller.
 */
final class SseParser {
    private final Consumer<String> events;
    private final int maxLineBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private boolean afterCr;

    /**
     * @param events       receives each event's data
     * @param maxLineBytes the longest line accepted; a longer one is a malformed stream
     */
    SseParser(Consumer<String> events, int maxLineBytes) {
        this.events = events;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads the bytes of {@code piece}, dispatching every event they complete.
     *
     * @throws MalformedStreamException when a line is longer than allowed
     */
    void feed(ByteBuffer piece) {
        while (piece.hasRemaining()) {
            byte b = piece.get();
            if (b == '\n' && afterCr) {
                afterCr = false; // the LF of a CRLF
            } else if (b == '\n' || b == '\r') {
                afterCr = b == '\r';
                endLine();
            } else {
                afterCr = false;
                if (line.size() == maxLineBytes) {
                    throw new MalformedStreamException("an event-stream line longer than " + maxLineBytes + " bytes");
                }
                line.write(b);
            }
        }
    }

    /** Whether bytes or data of an unfinished event are held: the stream ended in the middle of one. */
    boolean midEvent() {
        return line.size() > 0 || hasData;
    }

    private void endLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            if (hasData) events.accept(data.toString());
            data.setLength(0);
            hasData = false;
            return;
        }
        if (text.startsWith(":")) return;
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        if (!field.equals("data")) return;
        String value = colon < 0 ? "" : text.substring(text.length() > colon + 1 && text.charAt(colon + 1) == ' '
                ? colon + 2 : colon + 1);
        if (hasData) data.append('\n');
        data.append(value);
        hasData = true;
    }

    /** The stream is not a well-formed event stream. */
    static final class MalformedStreamException extends RuntimeException {
        MalformedStreamException(String message) {
            super(message);
        }
    }
}
