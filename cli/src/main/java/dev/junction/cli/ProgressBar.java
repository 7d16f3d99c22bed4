package dev.junction.cli;

import dev.junction.engine.gguf.LoadProgress;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress on stderr for work that may take a while (loading, writing models). It stays silent for the first half
 * second so quick jobs print nothing. On a terminal it is one line redrawn in place, at most ten times a second; in
 * a pipe or a log, where each {@code \r} redraw would pile up on one line, it prints plain lines instead: the first,
 * one each time another tenth is done, and the last with the time taken.
 */
final class ProgressBar implements LoadProgress {
    /** How progress is shown. */
    enum Style {
        /** One line redrawn in place with {@code \r}. */
        TERMINAL,
        /** Plain lines, no {@code \r}: for a pipe, a file, a CI log. */
        LINES;

        /**
         * Where stderr goes, decided once per command: the {@code junction} script passes {@code -Djunction.progress}
         * ({@code terminal} or {@code lines}, from whether stderr is a terminal); without it, TERMINAL when this
         * process has an interactive console.
         */
        static Style detect() {
            String given = System.getProperty("junction.progress");
            if (given != null) return valueOf(given.toUpperCase(Locale.ROOT));
            Console console = System.console();
            return console != null && console.isTerminal() ? TERMINAL : LINES;
        }
    }

    private static final long QUIET_NANOS = 500_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String label;
    private final Style style;
    private final LongSupplier clock;
    private final long start;
    private long lastDraw;
    private boolean drawn;
    private int lastTenth = -1; // LINES: the tenth done when the last line was printed
    private long done, total;

    ProgressBar(PrintWriter err, String label, Style style) {
        this(err, label, style, System::nanoTime);
    }

    /** With {@code clock} standing for {@link System#nanoTime}, for tests. */
    ProgressBar(PrintWriter err, String label, Style style, LongSupplier clock) {
        this.err = err;
        this.label = label;
        this.style = style;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    @Override
    public void update(long done, long total) {
        this.done = done;
        this.total = total;
        long now = clock.getAsLong();
        if (now - start < QUIET_NANOS) return;
        int percent = percent();
        switch (style) {
            case TERMINAL -> {
                if (now - lastDraw < REDRAW_NANOS && done < total) return;
                int filled = percent / 5;
                err.printf("\r%s [%s%s] %3d%% %s / %s", label, "#".repeat(filled), " ".repeat(20 - filled), percent,
                        Units.bytes(done), Units.bytes(total));
            }
            case LINES -> {
                if (done >= total || percent / 10 <= lastTenth) return; // the last line is finish()'s, with the time
                lastTenth = percent / 10;
                err.println(line());
            }
        }
        lastDraw = now;
        drawn = true;
        err.flush();
    }

    /**
     * Ends the display with the time taken: on a terminal, if anything was drawn; as lines, if there was progress
     * and the work took longer than the quiet half second.
     */
    void finish() {
        long elapsed = clock.getAsLong() - start;
        switch (style) {
            case TERMINAL -> {
                if (!drawn) return;
                err.printf(" %.1f s%n", elapsed / 1e9);
            }
            case LINES -> {
                if (total == 0 || (!drawn && elapsed < QUIET_NANOS)) return;
                err.printf("%s, %.1f s%n", line(), elapsed / 1e9);
            }
        }
        err.flush();
    }

    private int percent() {
        return total <= 0 ? 100 : (int) (100 * done / total);
    }

    private String line() {
        return String.format("%s: %d%% %s / %s", label, percent(), Units.bytes(done), Units.bytes(total));
    }
}
