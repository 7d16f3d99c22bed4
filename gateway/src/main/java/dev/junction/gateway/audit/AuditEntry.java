package dev.junction.gateway.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the audit log as stored: an {@link AuditEvent} with its place in the chain.
 *
 * @param seq          its position, 1 for the first entry, no gaps
 * @param at           when the appending node's clock said it happened (milliseconds; seq, not this, is the order)
 * @param previousHash the hash of entry {@code seq - 1} (64 zeros for the first)
 * @param hash         SHA-256 (hex) over this entry's fields and {@code previousHash}, as {@link AuditLog} describes
 */
public record AuditEntry(long seq, Instant at, Optional<String> organizationId, String actor, String action,
                         String target, String detail, String source, String previousHash, String hash) {
    public AuditEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(previousHash, "previousHash");
        Objects.requireNonNull(hash, "hash");
    }

    /** The same contents and hashes put at position {@code otherSeq} (to test whether rows were swapped). */
    AuditEntry movedTo(long otherSeq) {
        return new AuditEntry(otherSeq, at, organizationId, actor, action, target, detail, source, previousHash, hash);
    }
}
