package dev.junction.gateway.tenant;

import java.time.Instant;
import java.util.Objects;

/** A workspace: its own users, keys, limits, usage and audit trail, invisible to every other organization. */
public record Organization(String id, String name, Instant createdAt, Limits limits) {
    public Organization {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(limits, "limits");
    }

    public Organization withLimits(Limits l) {
        return new Organization(id, name, createdAt, l);
    }
}
