package dev.junction.cli;

import dev.junction.engine.gguf.LoadProgress;


import java.io.PrintWriter;

/**
 * A one-line progress display on stderr for work that may take a while (loading, writing models). It stays silent
 * for the first half second so quick jobs print nothing, then redraws at most ten times a second.
 */
final class ProgressBar implements LoadProgress {
    private final PrintWriter err;
    private final String label;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    @Override
    public void update(long done, long total) {
        long now = System.nanoTime();
        if (now - start < 500_000_000L || (now - lastDraw < 100_000_000L && done < total)) return;
        lastDraw = now;
        int percent = total <= 0 ? 100 : (int) (100 * done / total);
        int filled = percent / 5;
        err.printf("\r%s [%s%s] %3d%% %s / %s", label, "#".repeat(filled), " ".repeat(20 - filled), percent,
                Units.bytes(done), Units.bytes(total));
        err.flush();
        drawn = true;
    }

    /** Ends the line if anything was drawn. */
    void finish() {
        if (drawn) {
            err.printf(" %.1f s%n", (System.nanoTime() - start) / 1e9);
            err.flush();
        }
    }
}
