package dev.junction.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated tokens into text as they arrive, for one request. The text is the concatenation of the tokens'
 * bytes ({@link Tokenizer#tokenBytes(int, boolean)}); {@link #next} returns whatever became complete and holds back a
 * trailing incomplete UTF-8 character (e.g. an emoji spread over byte tokens) until its remaining bytes arrive.
 * Bytes that can never form a character come out as U+FFFD. Not thread-safe; cheap to create.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private byte[] pending = new byte[8];
    private int pendingLength;

    /** A decoder that renders control tokens as nothing (llama.cpp's {@code token_to_piece(special = false)}). */
    public StreamingDecoder(Tokenizer tokenizer) {
        this(tokenizer, false);
    }

    /** A decoder that, with {@code renderSpecial}, renders control tokens as their text. */
    public StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /** Adds a token; returns the text completed by it (possibly empty), never part of a character. */
    public String next(int token) {
        byte[] bytes = tokenizer instanceof VocabTokenizer v ? v.pieceBytes(token, renderSpecial)
                : tokenizer.tokenBytes(token, renderSpecial);
        if (bytes.length == 0) return "";
        if (pendingLength + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
        pendingLength += bytes.length;
        int complete = completePrefix(pending, pendingLength);
        if (complete == 0) return "";
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Returns any held-back bytes (an unfinished character comes out as U+FFFD) and resets the decoder. */
    public String flush() {
        String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        return text;
    }

    /**
     * The length of the longest prefix that does not end inside a character that may still be completed: the bytes
     * after the last lead byte are held back only when they are a proper, still-valid start of a multi-byte sequence.
     */
    static int completePrefix(byte[] b, int n) {
        // look back at most 3 bytes for the start of the last sequence
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xFF;
            if (c < 0x80) return n; // ASCII: everything is complete
            if (c >= 0xC0) {
                int need = c >= 0xF8 ? 0 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                if (need == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4) return n; // invalid lead: emit as is
                if (back >= need) return n; // sequence complete
                if (back >= 2 && !validSecond(c, b[n - back + 1] & 0xFF)) return n; // can never complete
                return n - back;
            }
            // continuation byte: keep looking back
        }
        return n;
    }

    private static boolean validSecond(int lead, int second) {
        return switch (lead) {
            case 0xE0 -> second >= 0xA0 && second <= 0xBF;
            case 0xED -> second >= 0x80 && second <= 0x9F;
            case 0xF0 -> second >= 0x90 && second <= 0xBF;
            case 0xF4 -> second >= 0x80 && second <= 0x8F;
            default -> second >= 0x80 && second <= 0xBF;
        };
    }
}
