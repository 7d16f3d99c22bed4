package dev.junction.gateway.limit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** The calendar windows limits count in: the UTC minute and the UTC month, as epoch milliseconds of their start. */
final class Windows {
    private Windows() {
    }

    static long minuteStart(Instant now) {
        return Math.floorDiv(now.toEpochMilli(), 60_000L) * 60_000L;
    }

    static long nextMinute(Instant now) {
        return minuteStart(now) + 60_000L;
    }

    static long monthStart(Instant now) {
        ZonedDateTime t = now.atZone(ZoneOffset.UTC);
        return t.withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    static long nextMonth(Instant now) {
        ZonedDateTime t = now.atZone(ZoneOffset.UTC);
        return t.withDayOfMonth(1).toLocalDate().plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
}
