package dev.junction.gateway.audit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link AuditLog#verify} found: how many entries it read, what is wrong with them, and the head of the chain
 * when it began, for the operator to write down as an {@link AuditAnchor} (worth keeping only when
 * {@link #intact()}).
 *
 * @param head empty only when the head row itself is gone or malformed, which is then one of the problems
 */
public record AuditVerification(long entries, List<AuditProblem> problems, Optional<AuditAnchor> head) {
    public AuditVerification {
        problems = List.copyOf(problems);
        Objects.requireNonNull(head, "head");
    }

    /** Whether the chain holds: no entry changed, missing, reordered or added past the head. */
    public boolean intact() {
        return problems.isEmpty();
    }
}
