package dev.junction.cli;

/** Human-readable sizes and counts for terminal output. */
final class Units {
    private Units() {}

    static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format("%.1f KiB", b / 1024.0);
        if (b < 1024L * 1024 * 1024) return String.format("%.1f MiB", b / (1024.0 * 1024));
        return String.format("%.2f GiB", b / (1024.0 * 1024 * 1024));
    }

    static String count(long n) {
        if (n < 1_000) return Long.toString(n);
        if (n < 1_000_000) return String.format("%.1fK", n / 1e3);
        if (n < 1_000_000_000) return String.format("%.2fM", n / 1e6);
        return String.format("%.2fB", n / 1e9);
    }
}
