package dev.junction.engine.runtime;

import java.util.List;

/**
 * Finds a request's stop strings in its output as the text streams in, so that none of a stop string is ever
 * emitted: text that could be the start of a stop string is held back until the following text shows it is not (it is
 * then released) or completes the match (the generation then stops, the match and anything after it dropped). A match
 * may span any number of tokens. Not thread-safe; one per generation.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopStrings(List<String> stops) {
        for (String s : stops) if (s.isEmpty()) throw new IllegalArgumentException("empty stop string");
        this.stops = List.copyOf(stops);
    }

    /** Whether a stop string was found; nothing more comes out then. */
    boolean stopped() {
        return stopped;
    }

    /** Adds output text; returns the part that can be emitted now (possibly empty). */
    String add(String text) {
        if (stopped) return "";
        if (stops.isEmpty() || text.isEmpty() && held.isEmpty()) return text;
        held.append(text);
        String h = held.toString();
        int match = -1;
        for (String s : stops) {
            int at = h.indexOf(s);
            if (at >= 0 && (match < 0 || at < match)) match = at;
        }
        if (match >= 0) {
            stopped = true;
            held.setLength(0);
            return h.substring(0, match);
        }
        int keep = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, h.length()); k > keep; k--) {
                if (h.regionMatches(h.length() - k, s, 0, k)) {
                    keep = k;
                    break;
                }
            }
        }
        held.delete(0, h.length() - keep);
        return h.substring(0, h.length() - keep);
    }

    /** Releases the held-back text: the output has ended, so it can no longer become a stop string. */
    String flush() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }
}
