package dev.junction.gateway.limit;

import dev.junction.gateway.tenant.LimitKind;

import java.time.Instant;
import java.util.Objects;

/**
 * Where one limit of one subject stands: its value, what is left of it, and when its window starts anew (for the
 * {@code x-ratelimit-*} headers and self-service).
 */
public record Quota(String subject, LimitKind kind, long limit, long used, Instant resetsAt) {
    public Quota {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(resetsAt, "resetsAt");
    }

    public long remaining() {
        return Math.max(0, limit - used);
    }
}
