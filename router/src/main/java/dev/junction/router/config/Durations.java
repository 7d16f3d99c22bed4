package dev.junction.router.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in the file: a whole number and a unit, no space: {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}. A
 * bare number is refused rather than guessed at (seconds? milliseconds?), and so is zero: every duration in the file
 * is a time limit, and leaving the key out gives its default.
 */
final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Durations() {
    }

    /** The duration written, or empty when the text is not one (or is zero). */
    static Optional<Duration> parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) return Optional.empty();
        long n = Long.parseLong(m.group(1));
        if (n == 0) return Optional.empty();
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        });
    }
}
