package dev.junction.gateway.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One pass over the log's rows in seq order, fed a row at a time (so the table is never held whole), collecting
 * what does not hold: a row whose hash does not match its contents, a gap in seq, a row whose previous hash is not
 * its predecessor's hash, a swapped pair of neighbours, and at the end the head against the table's last row.
 *
 * <p>A row whose hash does not match is kept back one step: when the next row does not match either and the two
 * match once put back in each other's place, they are reported once as out of order and checked in their true
 * order, instead of as two changed entries and three broken links.
 */
final class ChainCheck {
    /** The {@code audit_head} row as read: not checked, as it may have been tampered with. */
    record Head(long seq, String hash) {
        /** As an anchor to write down; empty when its hash is not even well-formed. */
        Optional<AuditAnchor> anchor() {
            try {
                return Optional.of(new AuditAnchor(seq, hash));
            } catch (IllegalArgumentException | NullPointerException e) {
                return Optional.empty();
            }
        }
    }

    private final Optional<Head> head;
    private final Optional<AuditAnchor> anchor;
    private final List<AuditProblem> problems = new ArrayList<>();
    private AuditEntry heldBack;
    private long rows;
    private long lastSeq;
    private String lastHash = AuditHash.GENESIS;
    private String hashAtHead;
    private boolean anchorSeen;

    /**
     * @param head   the head as read before the first row (empty when its row is gone)
     * @param anchor a point written down earlier that the chain must still pass through
     */
    ChainCheck(Optional<Head> head, Optional<AuditAnchor> anchor) {
        this.head = head;
        this.anchor = anchor;
        if (head.isEmpty()) problems.add(new AuditProblem(0, "the head is missing (audit_head has no row)"));
        if (head.isPresent() && head.get().seq() == 0) hashAtHead = AuditHash.GENESIS;
        anchor.filter(a -> a.seq() == 0).ifPresent(a -> seenAnchor(0, AuditHash.GENESIS));
    }

    /** The next row; rows come in increasing seq. */
    void add(AuditEntry row) {
        rows++;
        if (heldBack != null) {
            AuditEntry first = heldBack;
            heldBack = null;
            if (swapped(first, row)) {
                problems.add(new AuditProblem(first.seq(),
                        "entries " + first.seq() + " and " + row.seq() + " are out of order"));
                accept(row.movedTo(first.seq()));
                accept(first.movedTo(row.seq()));
                return;
            }
            accept(first);
        }
        if (sealed(row)) {
            accept(row);
        } else {
            heldBack = row;
        }
    }

    /**
     * What was found, once every row was given.
     *
     * @param headAtEnd the head as read after the last row: no row may lie past it
     */
    AuditVerification finish(Optional<Head> headAtEnd) {
        if (heldBack != null) {
            accept(heldBack);
            heldBack = null;
        }
        head.ifPresent(this::checkHead);
        headAtEnd.filter(h -> lastSeq > h.seq()).ifPresent(h -> problems.add(new AuditProblem(h.seq() + 1,
                "entries past the head (the head says " + h.seq() + ", the table goes on to " + lastSeq + ")")));
        anchor.filter(a -> !anchorSeen).ifPresent(a -> problems.add(new AuditProblem(a.seq(),
                "entry " + a.seq() + ", the anchor, is not in the table")));
        return new AuditVerification(rows, problems, head.flatMap(Head::anchor));
    }

    private void accept(AuditEntry e) {
        if (e.seq() <= lastSeq) {
            problems.add(new AuditProblem(e.seq(), "entry " + e.seq() + " is not part of the chain (it starts at 1)"));
            return;
        }
        if (!sealed(e)) {
            problems.add(new AuditProblem(e.seq(),
                    "entry " + e.seq() + " was changed (its hash does not match its contents)"));
        }
        if (e.seq() > lastSeq + 1) {
            problems.add(new AuditProblem(lastSeq + 1, missing(lastSeq, e.seq())));
        } else if (!e.previousHash().equals(lastHash)) {
            problems.add(new AuditProblem(e.seq(), lastSeq == 0
                    ? "entry 1 does not start the chain (its previous hash is not the genesis hash)"
                    : "entry " + e.seq() + " does not follow entry " + lastSeq + " (previous hash differs)"));
        }
        if (head.isPresent() && e.seq() == head.get().seq()) hashAtHead = e.hash();
        if (anchor.isPresent() && e.seq() == anchor.get().seq()) seenAnchor(e.seq(), e.hash());
        lastSeq = e.seq();
        lastHash = e.hash();
    }

    private void checkHead(Head h) {
        if (lastSeq < h.seq()) {
            long gone = h.seq() - lastSeq;
            String ends = lastSeq == 0 ? "the table is empty" : "the table ends at " + lastSeq;
            String deleted = gone == 1 ? "the last entry was deleted" : "the last " + gone + " entries were deleted";
            problems.add(new AuditProblem(h.seq(), deleted + " (the head says " + h.seq() + ", " + ends + ")"));
        } else if (hashAtHead != null && !hashAtHead.equals(h.hash())) {
            problems.add(new AuditProblem(h.seq(), "the head does not match entry " + h.seq() + " (its hash differs)"));
        }
    }

    private void seenAnchor(long seq, String hash) {
        anchorSeen = true;
        if (!anchor.orElseThrow().hash().equals(hash)) {
            problems.add(new AuditProblem(seq, "entry " + seq
                    + " is not the one the anchor was taken at (its hash differs from the one written down)"));
        }
    }

    private static String missing(long last, long next) {
        String which = next - last == 2 ? "entry " + (last + 1) + " is missing"
                : "entries " + (last + 1) + " to " + (next - 1) + " are missing";
        return which + (last == 0 ? " (the chain starts at " + next + ")"
                : " (the chain jumps from " + last + " to " + next + ")");
    }

    private static boolean sealed(AuditEntry e) {
        return AuditHash.of(e).equals(e.hash());
    }

    /** Whether neighbours {@code first} and {@code second} match their hashes once put back in each other's place. */
    private static boolean swapped(AuditEntry first, AuditEntry second) {
        return second.seq() == first.seq() + 1 && !sealed(second)
                && sealed(first.movedTo(second.seq())) && sealed(second.movedTo(first.seq()));
    }
}
