package dev.junction.gateway.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One admin action as its caller describes it, before {@link AuditLog#append} gives it a place in the chain.
 *
 * @param organizationId the organization acted in; empty for actions on the instance itself
 * @param actor          who acted: a key id ({@code key_…}; later {@code user_…}), {@code cli} or {@code system}
 * @param action         what was done, a dotted name: {@code organization.create}, {@code key.revoke},
 *                       {@code config.reload}, …
 * @param target         the id acted on (or what was reloaded)
 * @param detail         a short JSON object (build it with {@link #detail(Map)}); never secrets, never prompts
 * @param source         where the action came from: the client's address, or {@code cli} / {@code system}
 * @throws NullPointerException     when a field is null
 * @throws IllegalArgumentException when a field is empty, too long or malformed; nothing is ever truncated
 */
public record AuditEvent(Optional<String> organizationId, String actor, String action, String target,
                         String detail, String source) {
    public static final int MAX_ORGANIZATION_ID = 40;
    public static final int MAX_ACTOR = 64;
    public static final int MAX_ACTION = 64;
    public static final int MAX_TARGET = 200;
    public static final int MAX_DETAIL = 4000;
    public static final int MAX_SOURCE = 200;

    private static final Pattern ACTOR = Pattern.compile("cli|system|[a-z]+_[0-9A-Za-z]+");
    private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public AuditEvent {
        Objects.requireNonNull(organizationId, "organizationId");
        organizationId.ifPresent(id -> line("organizationId", id, MAX_ORGANIZATION_ID));
        line("actor", actor, MAX_ACTOR);
        if (!ACTOR.matcher(actor).matches()) {
            throw new IllegalArgumentException("actor must be a key or user id, \"cli\" or \"system\": " + actor);
        }
        line("action", action, MAX_ACTION);
        if (!ACTION.matcher(action).matches()) {
            throw new IllegalArgumentException("action must be a dotted lower-case name like key.create: " + action);
        }
        line("target", target, MAX_TARGET);
        line("source", source, MAX_SOURCE);
        requireJsonObject(detail);
    }

    /**
     * {@code values} as compact JSON with its keys sorted (nested maps too), for {@link #detail}: strings, numbers,
     * booleans, nulls, lists and maps of those.
     *
     * @throws IllegalArgumentException when a value cannot be written as JSON
     */
    public static String detail(Map<String, ?> values) {
        Objects.requireNonNull(values, "values");
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the audit detail cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    /** A one-line text field: not blank, at most {@code max} characters, no control characters. */
    private static void line(String name, String value, int max) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) throw new IllegalArgumentException(name + " is empty");
        bounded(name, value, max);
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(name + " contains a control character");
        }
    }

    private static void requireJsonObject(String detail) {
        Objects.requireNonNull(detail, "detail");
        bounded("detail", detail, MAX_DETAIL);
        JsonNode node;
        try {
            node = JSON.readTree(detail);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("detail is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("detail is not a JSON object");
    }

    /**
     * At most {@code max} characters, and text every database stores exactly as given: no NUL (PostgreSQL refuses
     * it) and no unpaired surrogate (it would be stored as '?', and the entry's hash would no longer match).
     */
    private static void bounded(String name, String value, int max) {
        if (value.length() > max) {
            throw new IllegalArgumentException(name + " is " + value.length() + " characters, more than " + max);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') throw new IllegalArgumentException(name + " contains a NUL character");
            boolean pair = Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1));
            if (pair) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(name + " contains an unpaired surrogate character");
            }
        }
    }
}
