package dev.junction.gateway.tenant;

import java.util.Locale;

/**
 * What a key may do: {@code member} uses the API; {@code admin} also manages its own organization; {@code instance}
 * (the instance administrator's key, in no organization) manages every organization.
 */
public enum KeyRole {
    MEMBER, ADMIN, INSTANCE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A role a key of an organization may be given ({@code member} or {@code admin}). */
    public static KeyRole parseOrganizationRole(String text) {
        if ("member".equals(text)) return MEMBER;
        if ("admin".equals(text)) return ADMIN;
        throw new IllegalArgumentException("role must be member or admin");
    }

    static KeyRole fromColumn(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
