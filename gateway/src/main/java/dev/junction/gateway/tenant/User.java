package dev.junction.gateway.tenant;

import java.time.Instant;

/** A person in an organization (signing in comes with the web UI; the record exists now). */
public record User(String id, String organizationId, String email, UserRole role, Instant createdAt) {
}
