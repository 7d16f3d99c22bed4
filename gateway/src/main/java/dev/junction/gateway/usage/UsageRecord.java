package dev.junction.gateway.usage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one request used, as the client was told it: ids and names only (never a prompt or configuration), so the
 * stored row stays near 100 bytes. {@code organizationId} is empty for the instance administrator's key,
 * {@code supplier} is {@code ""} when no supplier answered. Counts and money are non-negative; durations fit in an
 * int of milliseconds (24 days).
 */
public record UsageRecord(Instant at, Optional<String> organizationId, String keyId, Optional<String> userId,
                          String model, String supplier, long promptTokens, long completionTokens,
                          long cachedTokens, OptionalLong timeToFirstTokenMillis, long durationMillis,
                          Outcome outcome, long priceMicros) {
    public UsageRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(timeToFirstTokenMillis, "timeToFirstTokenMillis");
        Objects.requireNonNull(outcome, "outcome");
        if (at.isBefore(Instant.EPOCH)) throw new IllegalArgumentException("usage record before 1970: " + at);
        if (keyId.isEmpty()) throw new IllegalArgumentException("usage record without a key id");
        if (organizationId.filter(String::isEmpty).isPresent()) {
            throw new IllegalArgumentException("empty organization id (use Optional.empty() for none)");
        }
        if (userId.filter(String::isEmpty).isPresent()) {
            throw new IllegalArgumentException("empty user id (use Optional.empty() for none)");
        }
        if (model.isEmpty()) throw new IllegalArgumentException("usage record without a model");
        nonNegative("promptTokens", promptTokens);
        nonNegative("completionTokens", completionTokens);
        nonNegative("cachedTokens", cachedTokens);
        nonNegative("priceMicros", priceMicros);
        millis("durationMillis", durationMillis);
        if (timeToFirstTokenMillis.isPresent()) millis("timeToFirstTokenMillis", timeToFirstTokenMillis.getAsLong());
    }

    private static void nonNegative(String name, long value) {
        if (value < 0) throw new IllegalArgumentException(name + " must not be negative: " + value);
    }

    private static void millis(String name, long value) {
        nonNegative(name, value);
        if (value > Integer.MAX_VALUE) throw new IllegalArgumentException(name + " too large: " + value);
    }
}
