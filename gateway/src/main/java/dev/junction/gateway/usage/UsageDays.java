package dev.junction.gateway.usage;

import java.time.LocalDate;

/** Whole UTC days as the ledger stores them: days since 1970-01-01 ({@link LocalDate#toEpochDay()}). */
final class UsageDays {
    static final long DAY_MILLIS = 86_400_000L;

    private UsageDays() {
    }

    /** The day epoch-millis {@code at} lies in. */
    static long of(long at) {
        return Math.floorDiv(at, DAY_MILLIS);
    }

    /** The first epoch-millisecond of {@code day}. */
    static long start(long day) {
        return day * DAY_MILLIS;
    }

    /** The first day that starts at or after epoch-millis {@code at}. */
    static long firstStartingAtOrAfter(long at) {
        return Math.ceilDiv(at, DAY_MILLIS);
    }

    static LocalDate date(long day) {
        return LocalDate.ofEpochDay(day);
    }
}
