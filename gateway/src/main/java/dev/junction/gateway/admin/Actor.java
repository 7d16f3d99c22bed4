package dev.junction.gateway.admin;

import dev.junction.gateway.auth.Caller;

import java.util.Objects;
import java.util.Optional;

/**
 * Who performs an administration: a caller with a key (through the admin API), or the operator at the command line
 * on the database directly, or Junction itself (both with instance powers). {@code source} is where it came from (a
 * client address, {@code cli}, {@code system}).
 */
public record Actor(Optional<Caller> caller, String source) {
    public Actor {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(source, "source");
    }

    public static Actor of(Caller caller, String source) {
        return new Actor(Optional.of(caller), source);
    }

    /** The operator at the command line, on the database directly. */
    public static Actor commandLine() {
        return new Actor(Optional.empty(), "cli");
    }

    /** Junction itself (a configuration reload). */
    public static Actor system() {
        return new Actor(Optional.empty(), "system");
    }

    /** The name audit entries give it: the key's id, else where it came from ({@code cli}, {@code system}). */
    public String id() {
        return caller.map(c -> c.key().id()).orElse(source);
    }

    public boolean isInstance() {
        return caller.map(Caller::isInstance).orElse(true);
    }

    public boolean manages(String organizationId) {
        return caller.map(c -> c.manages(organizationId)).orElse(true);
    }

    /** The organization a non-instance actor belongs to. */
    public Optional<String> organizationId() {
        return caller.flatMap(c -> c.key().organizationId());
    }
}
