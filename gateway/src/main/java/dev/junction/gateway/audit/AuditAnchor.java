package dev.junction.gateway.audit;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A point of the chain written down outside the database ({@code seq:hash}, as {@link #toString()} prints it): given
 * back to {@link AuditLog#verify(org.jdbi.v3.core.Handle, AuditAnchor)}, it makes every entry up to {@code seq}
 * unchangeable, even by someone who recomputes every hash after a change.
 */
public record AuditAnchor(long seq, String hash) {
    public AuditAnchor {
        if (seq < 0) throw new IllegalArgumentException("an anchor's seq is 0 or more: " + seq);
        Objects.requireNonNull(hash, "hash");
        if (hash.length() != 64 || !hash.chars().allMatch(c -> HexFormat.isHexDigit(c) && !Character.isUpperCase(c))) {
            throw new IllegalArgumentException("an anchor's hash is 64 lower-case hex digits");
        }
    }

    /** Reads {@code seq:hash}, as {@link #toString()} writes it. */
    public static AuditAnchor parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("an audit anchor is written seq:hash");
        try {
            return new AuditAnchor(Long.parseLong(text.substring(0, colon).strip()), text.substring(colon + 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an audit anchor's seq is a number: " + text.substring(0, colon));
        }
    }

    @Override
    public String toString() {
        return seq + ":" + hash;
    }
}
