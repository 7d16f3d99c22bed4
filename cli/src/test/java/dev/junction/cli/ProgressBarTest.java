package dev.junction.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {
    private static final long MIB = 1 << 20, MS = 1_000_000L;

    private final StringWriter text = new StringWriter();
    private final PrintWriter err = new PrintWriter(text);
    private long now;

    private ProgressBar bar(ProgressBar.Style style) {
        return new ProgressBar(err, "writing x.gguf", style, () -> now);
    }

    @Test
    void linesModePrintsAPlainLineAtTheStartAboutEveryTenthAndAtTheEnd() {
        ProgressBar bar = bar(ProgressBar.Style.LINES);
        for (int mib = 1; mib <= 40; mib++) { // 1 MiB every 50 ms: 2 s in all, the first 0.5 s quiet
            now += 50 * MS;
            bar.update(mib * MIB, 40 * MIB);
        }
        bar.finish();
        assertThat(text.toString()).doesNotContain("\r").isEqualTo(String.join(System.lineSeparator(),
                "writing x.gguf: 25% 10.0 MiB / 40.0 MiB",
                "writing x.gguf: 30% 12.0 MiB / 40.0 MiB",
                "writing x.gguf: 40% 16.0 MiB / 40.0 MiB",
                "writing x.gguf: 50% 20.0 MiB / 40.0 MiB",
                "writing x.gguf: 60% 24.0 MiB / 40.0 MiB",
                "writing x.gguf: 70% 28.0 MiB / 40.0 MiB",
                "writing x.gguf: 80% 32.0 MiB / 40.0 MiB",
                "writing x.gguf: 90% 36.0 MiB / 40.0 MiB",
                "writing x.gguf: 100% 40.0 MiB / 40.0 MiB, 2.0 s", ""));
    }

    @Test
    void linesModeReportsAJobDoneInOneUpdate() {
        ProgressBar bar = bar(ProgressBar.Style.LINES);
        now += 800 * MS;
        bar.update(3 * MIB, 3 * MIB);
        bar.finish();
        assertThat(text.toString()).isEqualTo("writing x.gguf: 100% 3.0 MiB / 3.0 MiB, 0.8 s" + System.lineSeparator());
    }

    @Test
    void aQuickJobPrintsNothing() {
        for (ProgressBar.Style style : ProgressBar.Style.values()) {
            ProgressBar bar = bar(style);
            now += 100 * MS;
            bar.update(1 * MIB, 2 * MIB);
            now += 100 * MS;
            bar.update(2 * MIB, 2 * MIB);
            bar.finish();
        }
        assertThat(text.toString()).isEmpty();
    }

    @Test
    void terminalModeRedrawsOneLineInPlace() {
        ProgressBar bar = bar(ProgressBar.Style.TERMINAL);
        now += 600 * MS;
        bar.update(1 * MIB, 4 * MIB);
        now += 50 * MS; // within a tenth of a second of the last frame: skipped
        bar.update(2 * MIB, 4 * MIB);
        now += 100 * MS;
        bar.update(4 * MIB, 4 * MIB);
        bar.finish();
        assertThat(text.toString()).isEqualTo(
                "\rwriting x.gguf [#####               ]  25% 1.0 MiB / 4.0 MiB"
                        + "\rwriting x.gguf [####################] 100% 4.0 MiB / 4.0 MiB 0.8 s" + System.lineSeparator());
    }
}
