package dev.junction.gateway.tenant;

import java.util.Locale;

/** A user's role in an organization. */
public enum UserRole {
    OWNER, ADMIN, MEMBER, VIEWER;

    /** As the API writes it: {@code owner}, {@code admin}, {@code member}, {@code viewer}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code text}, or an {@link IllegalArgumentException} listing the valid ones. */
    public static UserRole parse(String text) {
        for (UserRole r : values()) if (r.wire().equals(text)) return r;
        throw new IllegalArgumentException("role must be one of owner, admin, member, viewer");
    }
}
