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

    private final StringBuilder pending = new StringBuilder();

    void append(String text) {
        pending.append(text);
    }

    /**
     * The next decided piece with {@code markers} as the markers, or null when the rest could still begin a marker
     * (or nothing is left).
     */
    Piece next(List<String> markers) {
        int n = pending.length();
        if (n == 0) return null;
        int at = -1;
        String found = null;
        for (String m : markers) {
            int i = pending.indexOf(m);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                found = m;
            }
        }
        if (at == 0) return take(found.length(), true);
        if (at > 0) return take(at, false);
        int keep = heldBack(markers);
        if (n - keep > 0 && Character.isHighSurrogate(pending.charAt(n - keep - 1))) keep++;
        return n - keep > 0 ? take(n - keep, false) : null;
    }

    /** All that is left, as plain text (empty when nothing is). */
    String drain() {
        String rest = pending.toString();
        pending.setLength(0);
        return rest;
    }

    /** The length of the longest end of the pending text that is a proper beginning of a marker. */
    private int heldBack(List<String> markers) {
        int n = pending.length();
        int longest = 0;
        for (String m : markers) {
            for (int k = Math.min(m.length() - 1, n); k > longest; k--) {
                if (endsWith(n - k, m, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    /** Whether the pending text from {@code from} on is the first {@code k} chars of {@code marker}. */
    private boolean endsWith(int from, String marker, int k) {
        for (int i = 0; i < k; i++) if (pending.charAt(from + i) != marker.charAt(i)) return false;
        return true;
    }

    private Piece take(int length, boolean marker) {
        String text = pending.substring(0, length);
        pending.delete(0, length);
        return new Piece(text, marker);
    }
}
