package dev.junction.gateway.auth;

import dev.junction.gateway.limit.Subject;
import dev.junction.gateway.tenant.ApiKey;
import dev.junction.gateway.tenant.KeyRole;
import dev.junction.gateway.tenant.Organization;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An authenticated caller: its key and the key's organization (none for the instance administrator).
 */
public record Caller(ApiKey key, Optional<Organization> organization) {
    public Caller {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(organization, "organization");
    }

    public boolean isInstance() {
        return key.role() == KeyRole.INSTANCE;
    }

    /** May manage {@code organizationId}: the instance key any, an organization's admin key its own. */
    public boolean manages(String organizationId) {
        return isInstance() || (key.role() == KeyRole.ADMIN && key.organizationId().orElse("").equals(organizationId));
    }

    /** May manage anything at all (the admin API answers 403 to a member key). */
    public boolean isAdmin() {
        return key.role() != KeyRole.MEMBER;
    }

    /** The key and its organization, as limits count them. */
    public List<Subject> subjects() {
        List<Subject> out = new ArrayList<>(2);
        out.add(Subject.key(key.id(), key.limits()));
        organization.ifPresent(o -> out.add(Subject.organization(o.id(), o.limits())));
        return out;
    }
}
