package dev.junction.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A date ({@code 2026-12-01}, UTC midnight) or an ISO time, as command-line options give them. */
final class Dates {
    private Dates() {
    }

    static Instant parse(String option, String text) {
        try {
            if (text.length() == 10) return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " " + text + ": not a date (2026-12-01) or an ISO time");
        }
    }
}
