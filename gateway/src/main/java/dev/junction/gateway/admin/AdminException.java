package dev.junction.gateway.admin;

import java.util.Objects;

/** An administration request refused: by its input (naming the field), by what the actor may do, or by a conflict. */
public final class AdminException extends RuntimeException {
    public enum Kind {
        /** A field is missing, of the wrong type or out of range ({@link #field} names it). */
        INVALID,
        /** The actor may not do this at all (a member key on the admin API, an organization's key creating one). */
        FORBIDDEN,
        /** No such thing — or one the actor may not see, which looks the same. */
        NOT_FOUND,
        /** It would duplicate something that must be unique (an organization's name, a user's email). */
        CONFLICT
    }

    private final Kind kind;
    private final String field;

    private AdminException(Kind kind, String field, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind);
        this.field = field;
    }

    public static AdminException invalid(String field, String message) {
        return new AdminException(Kind.INVALID, field, message);
    }

    public static AdminException forbidden(String message) {
        return new AdminException(Kind.FORBIDDEN, null, message);
    }

    public static AdminException notFound(String what, String id) {
        return new AdminException(Kind.NOT_FOUND, null, "No " + what + " '" + id + "'.");
    }

    public static AdminException conflict(String field, String message) {
        return new AdminException(Kind.CONFLICT, field, message);
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }
}
