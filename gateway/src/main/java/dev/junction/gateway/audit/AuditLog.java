package dev.junction.gateway.audit;

import dev.junction.gateway.db.Dialect;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The append-only, tamper-evident audit log: every admin action with who, what, when and from where, in one hash
 * chain across all nodes. Reads and writes inside the caller's handle, like {@code tenant.Tenants}; holds nothing but
 * the clock.
 *
 * <p><b>The chain.</b> Entry {@code n} carries the hash of entry {@code n - 1} (64 zeros for the first) and its own
 * hash, SHA-256 over a length-prefixed encoding of its seq, time, organization, actor, action, target, detail,
 * source and that previous hash. The one-row table {@code audit_head} holds the last seq and hash. {@link #append}
 * locks it ({@code SELECT … FOR UPDATE} on PostgreSQL; SQLite's write transactions are serial anyway), so nodes
 * appending at once still form one chain; seq being the primary key, two appends that both saw the same head could
 * not fork it either: the second would fail.
 *
 * <p><b>What it detects.</b> Junction never updates or deletes an audit row (no code does; no trigger forbids it, so
 * that a restore or a test can write the table). {@link #verify} reads every row and reports an edited row (its hash
 * no longer matches), a deleted row (a gap in seq; the last rows, against the head), a swapped pair (rows whose
 * contents were exchanged), a row edited and given a matching hash (the next row no longer follows it), and rows
 * past the head.
 *
 * <p><b>What it cannot.</b> The hash is no secret: whoever can write the database can change an entry, recompute the
 * hash of it and of every entry after it, and set the head to match; or cut the table short and move the head back.
 * That chain verifies. Only a point of the chain kept outside the database shows it: write down the
 * {@link AuditVerification#head() head} that {@code verify} returns ({@code seq:hash}) somewhere the database's
 * writers cannot reach (a ticket, a log shipped elsewhere) and give it back to {@link #verify(Handle, AuditAnchor)}
 * later: every entry up to it is then fixed.
 *
 * <p>Time is each appending node's clock: seq, not {@code at}, is the order, and {@code at} may step back a little
 * between entries of different nodes.
 */
public final class AuditLog {
    /** Most entries {@link #entries} answers at once. */
    public static final int MAX_LIMIT = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final int PAGE = 500;
    private static final String COLUMNS =
            "seq, at, organization_id, actor, action, target, detail, source, previous_hash, hash";
    private static final String HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1";

    private final Clock clock;

    public AuditLog(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Appends {@code event} as the next entry, inside the caller's transaction: the admin change and its entry
     * commit together or not at all. Holds the chain's head locked until that transaction ends, so append last.
     *
     * @throws IllegalStateException when {@code h} is in no transaction (the head's lock would not hold)
     */
    public AuditEntry append(Handle h, AuditEvent event) {
        Objects.requireNonNull(event, "event");
        if (!h.isInTransaction()) {
            throw new IllegalStateException(
                    "an audit entry is appended inside the transaction of the change it records");
        }
        ChainCheck.Head head = h.createQuery(HEAD + dialect(h).forUpdate()).map(AuditLog::readHead).findOne()
                .orElseThrow(() -> new IllegalStateException("the audit head row is missing"));
        long seq = head.seq() + 1;
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String hash = AuditHash.of(seq, at.toEpochMilli(), event.organizationId().orElse(""), event.actor(),
                event.action(), event.target(), event.detail(), event.source(), head.hash());
        AuditEntry entry = new AuditEntry(seq, at, event.organizationId(), event.actor(), event.action(),
                event.target(), event.detail(), event.source(), head.hash(), hash);
        h.createUpdate("INSERT INTO audit_log (" + COLUMNS + ") VALUES (:seq, :at, :org, :actor, :action, :target, "
                        + ":detail, :source, :previous_hash, :hash)")
                .bind("seq", seq).bind("at", at.toEpochMilli()).bind("org", event.organizationId().orElse(null))
                .bind("actor", event.actor()).bind("action", event.action()).bind("target", event.target())
                .bind("detail", event.detail()).bind("source", event.source())
                .bind("previous_hash", head.hash()).bind("hash", hash)
                .execute();
        int moved = h.createUpdate("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1 AND seq = :before")
                .bind("seq", seq).bind("hash", hash).bind("before", head.seq()).execute();
        if (moved != 1) throw new IllegalStateException("the audit head moved under its lock");
        LOG.debug("audit entry {}: {} on {}", seq, event.action(), event.target());
        return entry;
    }

    /**
     * Entries at or after {@code since} and before {@code until}, of {@code organizationId} (empty: of all, the
     * instance's own included), the first {@code limit} of them in seq order.
     */
    public List<AuditEntry> entries(Handle h, Optional<String> organizationId, Instant since, Instant until,
                                    int limit) {
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit is between 1 and " + MAX_LIMIT + ": " + limit);
        }
        String byOrganization = organizationId.isPresent() ? " AND organization_id = :org" : "";
        var query = h.createQuery("SELECT " + COLUMNS + " FROM audit_log WHERE at >= :since AND at < :until"
                        + byOrganization + " ORDER BY seq LIMIT :limit")
                .bind("since", since.toEpochMilli()).bind("until", until.toEpochMilli()).bind("limit", limit);
        organizationId.ifPresent(org -> query.bind("org", org));
        return query.map(AuditLog::readEntry).list();
    }

    /** {@link #verify(Handle, AuditAnchor)} without an anchor: the chain checked against itself and its head. */
    public AuditVerification verify(Handle h) {
        return verify(h, Optional.empty());
    }

    /** Checks the whole chain, and that it still passes through {@code anchor}, written down from an earlier run. */
    public AuditVerification verify(Handle h, AuditAnchor anchor) {
        return verify(h, Optional.of(anchor));
    }

    /**
     * Reads the head, then every row in seq order a page at a time (so millions of rows are never held at once, in
     * a transaction or not), then the head again. Entries appended meanwhile are checked too; the head read first
     * is the one reported.
     */
    private AuditVerification verify(Handle h, Optional<AuditAnchor> anchor) {
        ChainCheck check = new ChainCheck(head(h), anchor);
        long after = Long.MIN_VALUE;
        while (true) {
            List<AuditEntry> page = h.createQuery("SELECT " + COLUMNS + " FROM audit_log WHERE seq > :after "
                            + "ORDER BY seq LIMIT :page")
                    .bind("after", after).bind("page", PAGE).map(AuditLog::readEntry).list();
            page.forEach(check::add);
            if (page.size() < PAGE) break;
            after = page.getLast().seq();
        }
        AuditVerification result = check.finish(head(h));
        if (result.intact()) {
            LOG.debug("audit chain intact: {} entries", result.entries());
        } else {
            LOG.warn("audit chain broken: {} problem(s) in {} entries, the first: {}", result.problems().size(),
                    result.entries(), result.problems().getFirst().what());
        }
        return result;
    }

    private static Optional<ChainCheck.Head> head(Handle h) {
        return h.createQuery(HEAD).map(AuditLog::readHead).findOne();
    }

    private static Dialect dialect(Handle h) {
        try {
            String product = h.getConnection().getMetaData().getDatabaseProductName();
            return switch (product) {
                case "PostgreSQL" -> Dialect.POSTGRESQL;
                case "SQLite" -> Dialect.SQLITE;
                default -> throw new IllegalStateException("the audit log needs SQLite or PostgreSQL, not " + product);
            };
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database the audit log is in", e);
        }
    }

    private static ChainCheck.Head readHead(ResultSet rs, StatementContext ctx) throws SQLException {
        return new ChainCheck.Head(rs.getLong("seq"), rs.getString("hash"));
    }

    private static AuditEntry readEntry(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AuditEntry(rs.getLong("seq"), Instant.ofEpochMilli(rs.getLong("at")),
                Optional.ofNullable(rs.getString("organization_id")), rs.getString("actor"), rs.getString("action"),
                rs.getString("target"), rs.getString("detail"), rs.getString("source"), rs.getString("previous_hash"),
                rs.getString("hash"));
    }
}
