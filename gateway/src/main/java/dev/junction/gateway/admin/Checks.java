package dev.junction.gateway.admin;

import dev.junction.gateway.tenant.LimitKind;
import dev.junction.gateway.tenant.Limits;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/** The rules administration input must keep, each failure naming its field (shared by the REST API and the CLI). */
public final class Checks {
    /** The largest count a limit may have (far beyond any real budget, far below overflow). */
    public static final long MAX_COUNT = 1_000_000_000_000_000L;
    public static final int MAX_NAME = 200;
    public static final int MAX_EMAIL = 320;
    public static final int MAX_MODELS = 1000;

    private Checks() {
    }

    /** A display name: 1 to 200 characters, none of them control characters. */
    public static String name(String field, String value) {
        if (value == null) throw AdminException.invalid(field, "'" + field + "' is required.");
        String v = value.strip();
        if (v.isEmpty()) throw AdminException.invalid(field, "'" + field + "' must not be empty.");
        if (v.length() > MAX_NAME) {
            throw AdminException.invalid(field, "'" + field + "' is longer than " + MAX_NAME + " characters.");
        }
        if (v.chars().anyMatch(Character::isISOControl)) {
            throw AdminException.invalid(field, "'" + field + "' must not contain control characters.");
        }
        return v;
    }

    public static String email(String field, String value) {
        String v = name(field, value);
        if (v.length() > MAX_EMAIL || v.indexOf('@') <= 0 || v.indexOf('@') == v.length() - 1 || v.contains(" ")) {
            throw AdminException.invalid(field, "'" + field + "' is not an email address.");
        }
        return v;
    }

    /** A limit's value: 0 (nothing allowed) up to {@link #MAX_COUNT}. */
    public static long count(String field, long value) {
        if (value < 0) throw AdminException.invalid(field, "'" + field + "' must not be negative.");
        if (value > MAX_COUNT) throw AdminException.invalid(field, "'" + field + "' is larger than " + MAX_COUNT + ".");
        return value;
    }

    public static Limits limits(Limits limits) {
        for (var e : limits.set().entrySet()) count(e.getKey().field(), e.getValue());
        return limits;
    }

    /** The allowed models: distinct names, at most {@link #MAX_MODELS}; empty means none is allowed. */
    public static List<String> models(String field, List<String> models) {
        if (models.size() > MAX_MODELS) {
            throw AdminException.invalid(field, "'" + field + "' lists more than " + MAX_MODELS + " models.");
        }
        List<String> out = models.stream().map(m -> name(field, m)).toList();
        if (new HashSet<>(out).size() != out.size()) {
            throw AdminException.invalid(field, "'" + field + "' lists a model twice.");
        }
        return out;
    }

    public static Optional<Instant> expiry(String field, Optional<Instant> at, Instant now) {
        if (at.isPresent() && !at.get().isAfter(now)) {
            throw AdminException.invalid(field, "'" + field + "' must be in the future.");
        }
        return at;
    }

    static String field(LimitKind kind) {
        return kind.field();
    }
}
