package dev.junction.gateway.limit;

import dev.junction.gateway.tenant.Limits;

import java.util.Objects;

/**
 * Something limits apply to, by name ({@code key:<id>} or {@code org:<id>}), with its limits at admission.
 */
public record Subject(String name, Limits limits) {
    public Subject {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(limits, "limits");
        if (name.length() > 60) throw new IllegalArgumentException("subject name too long: " + name);
    }

    public static Subject key(String keyId, Limits limits) {
        return new Subject("key:" + keyId, limits);
    }

    public static Subject organization(String organizationId, Limits limits) {
        return new Subject("org:" + organizationId, limits);
    }
}
