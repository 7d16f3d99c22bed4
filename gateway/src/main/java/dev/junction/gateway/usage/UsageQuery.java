package dev.junction.gateway.usage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which usage a report adds up: of one organization (empty: all of them, for the instance administrator), of one key
 * or all, in {@code [since, until)}, per {@code groupBy}. Days already rolled up count whole: such a day is in the
 * report when its first millisecond (00:00 UTC) lies in {@code [since, until)}; days not rolled up yet (today,
 * usually) are counted exactly to the millisecond.
 */
public record UsageQuery(Optional<String> organizationId, Optional<String> keyId, Instant since, Instant until,
                         GroupBy groupBy) {
    public UsageQuery {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(groupBy, "groupBy");
        if (until.isBefore(since)) throw new IllegalArgumentException("until " + until + " is before since " + since);
    }
}
