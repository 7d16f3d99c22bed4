package dev.junction.gateway.limit;

import java.util.List;
import java.util.Objects;

/**
 * What an admitted request holds until it is settled: the tokens and spend it reserved from its subjects, counted in
 * the minute and month it was admitted in. {@link #NONE} for a request nothing limits.
 */
public record Reservation(String id, List<String> subjects, long tokens, long spendMicros, long minuteStart,
                          long monthStart) {
    public static final Reservation NONE = new Reservation("", List.of(), 0, 0, 0, 0);

    public Reservation {
        Objects.requireNonNull(id, "id");
        subjects = List.copyOf(subjects);
    }

    public boolean isNone() {
        return subjects.isEmpty();
    }
}
