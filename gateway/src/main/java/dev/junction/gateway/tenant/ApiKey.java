package dev.junction.gateway.tenant;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An API key as stored: never its secret, only the first characters of it ({@link #prefix}) for display.
 *
 * @param organizationId empty for the instance administrator's key
 * @param models         the public models it may use; empty for all
 */
public record ApiKey(String id, Optional<String> organizationId, Optional<String> userId, String name, KeyRole role,
                     String prefix, Optional<List<String>> models, Limits limits, Instant createdAt,
                     Optional<Instant> expiresAt, Optional<Instant> revokedAt) {
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(prefix, "prefix");
        models = models.map(List::copyOf);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(revokedAt, "revokedAt");
    }

    /** Neither revoked nor expired at {@code now}. */
    public boolean activeAt(Instant now) {
        return revokedAt.isEmpty() && expiresAt.map(now::isBefore).orElse(true);
    }

    /** Whether it may call {@code model}. */
    public boolean allows(String model) {
        return models.map(list -> list.contains(model)).orElse(true);
    }

    public boolean isInstance() {
        return role == KeyRole.INSTANCE;
    }

    public ApiKey withName(String n) {
        return new ApiKey(id, organizationId, userId, n, role, prefix, models, limits, createdAt, expiresAt, revokedAt);
    }

    public ApiKey withModels(Optional<List<String>> m) {
        return new ApiKey(id, organizationId, userId, name, role, prefix, m, limits, createdAt, expiresAt, revokedAt);
    }

    public ApiKey withLimits(Limits l) {
        return new ApiKey(id, organizationId, userId, name, role, prefix, models, l, createdAt, expiresAt, revokedAt);
    }

    public ApiKey withExpiresAt(Optional<Instant> e) {
        return new ApiKey(id, organizationId, userId, name, role, prefix, models, limits, createdAt, e, revokedAt);
    }
}
