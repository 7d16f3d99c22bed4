package dev.junction.gateway.audit;

import java.util.Objects;

/**
 * One thing {@link AuditLog#verify} found wrong with the chain, in plain words for the operator.
 *
 * @param seq  the entry it concerns (the first missing one for a gap; 0 for the head row itself)
 * @param what what is wrong, e.g. "entry 7 was changed (its hash does not match its contents)"
 */
public record AuditProblem(long seq, String what) {
    public AuditProblem {
        Objects.requireNonNull(what, "what");
    }

    @Override
    public String toString() {
        return what;
    }
}
