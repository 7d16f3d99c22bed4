package dev.junction.engine.chat.reasoning;

import java.util.List;

/**
 * The text fed so far but not yet decided, cut into plain text and markers (fixed strings such as
 * {@code <|end|>}). Text is released as soon as it cannot be the start of a marker any more; a trailing high
 * surrogate waits for its pair.
 */
final class MarkerScanner {
    /** A piece of the input: a marker (one of those asked for) or plain text. */
    record Piece(String text, boolean marker) {}

    /** Undecided text is {@code buffer[from, length)}; the decided part before it is dropped now and then. */
    private final StringBuilder buffer = new StringBuilder();
    private int from;

    void append(String text) {
        if (from > 0 && from >= buffer.length() / 2) {
            buffer.delete(0, from);
            from = 0;
        }
        buffer.append(text);
    }

    /**
     * The next decided piece with {@code markers} as the markers, or null when the rest could still begin a marker
     * (or nothing is left).
     */
    Piece next(List<String> markers) {
        int n = buffer.length();
        if (from == n) return null;
        int at = -1;
        String found = null;
        for (String m : markers) {
            int i = buffer.indexOf(m, from);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                found = m;
            }
        }
        if (at == from) return take(found.length(), true);
        if (at > from) return take(at - from, false);
        int keep = heldBack(markers);
        if (n - keep > from && Character.isHighSurrogate(buffer.charAt(n - keep - 1))) keep++;
        return n - keep > from ? take(n - keep - from, false) : null;
    }

    /** All that is left, as plain text (empty when nothing is). */
    String drain() {
        String rest = buffer.substring(from);
        buffer.setLength(0);
        from = 0;
        return rest;
    }

    /** The length of the longest end of the undecided text that is a proper beginning of a marker. */
    private int heldBack(List<String> markers) {
        int n = buffer.length();
        int longest = 0;
        for (String m : markers) {
            for (int k = Math.min(m.length() - 1, n - from); k > longest; k--) {
                if (endsWith(n - k, m, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    /** Whether the buffer from {@code start} on is the first {@code k} chars of {@code marker}. */
    private boolean endsWith(int start, String marker, int k) {
        for (int i = 0; i < k; i++) if (buffer.charAt(start + i) != marker.charAt(i)) return false;
        return true;
    }

    private Piece take(int length, boolean marker) {
        String text = buffer.substring(from, from + length);
        from += length;
        return new Piece(text, marker);
    }
}
