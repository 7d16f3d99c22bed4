package dev.junction.router.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean" for a misspelt key or name: the closest known one within a couple of edits. */
final class Suggestions {
    private Suggestions() {
    }

    /** {@code (did you mean 'max_concurrent'?)} when one is close, else {@code (known: a, b, c)}. */
    static String hint(String written, Collection<String> known) {
        if (known.isEmpty()) return "(none are declared)";
        return closest(written, known).map(k -> "(did you mean '" + k + "'?)")
                .orElse("(known: " + String.join(", ", known) + ")");
    }

    static Optional<String> closest(String written, Collection<String> known) {
        int allowed = Math.min(2, written.length() / 3);
        return known.stream()
                .filter(k -> distance(written, k) <= allowed)
                .min(Comparator.comparingInt(k -> distance(written, k)));
    }

    /** Edits from a to b: insert, delete or replace a character, or swap two neighbours ({@code prot} → {@code port}). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
