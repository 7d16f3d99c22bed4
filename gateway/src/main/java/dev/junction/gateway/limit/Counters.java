package dev.junction.gateway.limit;

import dev.junction.gateway.tenant.LimitKind;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** One subject's {@code limit_state} row: what its current minute and month have counted, and its requests in flight. */
record Counters(String subject, long minuteStart, long minuteRequests, long minuteTokens, long monthStart,
                long monthTokens, long monthSpendMicros, long inFlight) {

    static Counters fresh(String subject, Instant now) {
        return new Counters(subject, Windows.minuteStart(now), 0, 0, Windows.monthStart(now), 0, 0, 0);
    }

    static Counters read(ResultSet rs) throws SQLException {
        return new Counters(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                rs.getLong(6), rs.getLong(7), rs.getLong(8));
    }

    /** The same counts with the windows that have passed by {@code now} started anew. */
    Counters rolledTo(Instant now) {
        long minute = Windows.minuteStart(now);
        long month = Windows.monthStart(now);
        boolean newMinute = minute != minuteStart;
        boolean newMonth = month != monthStart;
        return new Counters(subject, minute, newMinute ? 0 : minuteRequests, newMinute ? 0 : minuteTokens, month,
                newMonth ? 0 : monthTokens, newMonth ? 0 : monthSpendMicros, inFlight);
    }

    /** These counts with one more request reserving {@code tokens} and {@code spend}. */
    Counters plus(long tokens, long spend) {
        return new Counters(subject, minuteStart, minuteRequests + 1, minuteTokens + tokens, monthStart,
                monthTokens + tokens, monthSpendMicros + spend, inFlight + 1);
    }

    long used(LimitKind kind) {
        return switch (kind) {
            case RPM -> minuteRequests;
            case TPM -> minuteTokens;
            case MAX_CONCURRENT -> inFlight;
            case MONTHLY_TOKENS -> monthTokens;
            case MONTHLY_SPEND -> monthSpendMicros;
        };
    }
}
