package dev.junction.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.gateway.admin.AdminException;
import dev.junction.gateway.admin.Checks;
import dev.junction.gateway.tenant.LimitKind;
import dev.junction.gateway.tenant.Limits;
import dev.junction.openai.OpenAiJson;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads an admin request's JSON body field by field; every mistake is an {@link AdminException} naming the field.
 * Unknown fields are refused (a field Junction cannot honour is never silently ignored).
 */
final class AdminInput {
    private final ObjectNode body;

    private AdminInput(ObjectNode body) {
        this.body = body;
    }

    /** The body, which must be a JSON object holding only {@code allowed} fields. */
    static AdminInput of(byte[] raw, Set<String> allowed) {
        JsonNode tree;
        try {
            tree = raw.length == 0 ? null : OpenAiJson.readTree(raw);
        } catch (RuntimeException e) {
            throw AdminException.invalid(null, "The request body is not valid JSON.");
        }
        if (!(tree instanceof ObjectNode object)) throw AdminException.invalid(null, "The request body must be a JSON "
                + "object.");
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) throw AdminException.invalid(name, "Unknown field '" + name + "'.");
        }
        return new AdminInput(object);
    }

    boolean has(String field) {
        return body.has(field);
    }

    /** A string field: empty when absent or null. */
    Optional<String> text(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw AdminException.invalid(field, "'" + field + "' must be a string.");
        return Optional.of(v.textValue());
    }

    String requiredText(String field) {
        return text(field).orElseThrow(() -> AdminException.invalid(field, "'" + field + "' is required."));
    }

    /** The allowed models: absent or null = every model; otherwise an array of names. */
    Optional<List<String>> models(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isArray()) throw AdminException.invalid(field, "'" + field + "' must be an array of model names.");
        List<String> out = new ArrayList<>();
        for (JsonNode m : v) {
            if (!m.isTextual()) throw AdminException.invalid(field, "'" + field + "' must hold strings only.");
            out.add(m.textValue());
        }
        return Optional.of(Checks.models(field, out));
    }

    /** An expiry in Unix seconds: empty when absent or null. */
    Optional<Instant> epochSeconds(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() > 253402300799L) {
            throw AdminException.invalid(field, "'" + field + "' must be a time in Unix seconds.");
        }
        return Optional.of(Instant.ofEpochSecond(v.longValue()));
    }

    /** {@code limits} changed by the limit fields present in the body (null removes a limit). */
    Limits limits(Limits limits) {
        Limits out = limits;
        for (LimitKind kind : LimitKind.values()) {
            if (body.has(kind.field())) out = out.with(kind, limit(kind));
        }
        return out;
    }

    private OptionalLong limit(LimitKind kind) {
        String field = kind.field();
        JsonNode v = body.get(field);
        if (v.isNull()) return OptionalLong.empty();
        if (kind == LimitKind.MONTHLY_SPEND) {
            if (!v.isNumber()) throw AdminException.invalid(field, "'" + field + "' must be a number (currency units).");
            double units = v.doubleValue();
            if (!(units >= 0)) throw AdminException.invalid(field, "'" + field + "' must not be negative.");
            if (units > Checks.MAX_COUNT / 1e6) throw AdminException.invalid(field, "'" + field + "' is too large.");
            return OptionalLong.of(Math.round(units * 1e6));
        }
        if (!v.isIntegralNumber()) throw AdminException.invalid(field, "'" + field + "' must be an integer.");
        if (!v.canConvertToLong()) throw AdminException.invalid(field, "'" + field + "' is too large.");
        return OptionalLong.of(Checks.count(field, v.longValue()));
    }

    /** A time of a query string: a date (UTC midnight), an ISO instant, or Unix seconds. */
    static Optional<Instant> time(String field, String text) {
        if (text == null || text.isBlank()) return Optional.empty();
        String t = text.strip();
        try {
            if (t.chars().allMatch(Character::isDigit) && t.length() <= 12) return Optional.of(Instant.ofEpochSecond(
                    Long.parseLong(t)));
            if (t.length() == 10) return Optional.of(LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant());
            return Optional.of(Instant.parse(t));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw AdminException.invalid(field, "'" + field + "' must be a date (2026-12-01), an ISO time or Unix "
                    + "seconds.");
        }
    }
}
