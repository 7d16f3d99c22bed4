package dev.junction.gateway.limit;

import dev.junction.gateway.tenant.LimitKind;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

import java.util.List;
import java.util.OptionalLong;

/**
 * An admission on PostgreSQL as one statement, run on its own (autocommit): it locks the subjects' rows in name
 * order, checks every limit against the counts of the current windows plus the reservation, and — only if every
 * subject passes — raises the counts and writes the reservation. One round trip, and the hot rows stay locked only
 * while the statement runs, not across round trips, so many nodes admitting for one key do not queue behind each
 * other's network latency. (SQLite, one writer in-process, takes the transaction path of {@link Limiter}.)
 *
 * <p>It answers each subject's counts as they were before, and whether it admitted, so {@link Limiter} works out
 * the refusal or the quotas with the same rules as the other path.
 */
final class PostgresAdmission {
    /** The counts before, in name order; {@code admitted} when every subject was found and passed. */
    record Outcome(List<Counters> before, boolean admitted) {
    }

    private PostgresAdmission() {
    }

    static Outcome run(Handle h, List<Subject> subjects, long tokens, long spend, Reservation r, String node,
                       long leaseUntil) {
        int n = subjects.size();
        StringBuilder ask = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) ask.append(", ");
            ask.append("(CAST(:s").append(i).append(" AS VARCHAR)");
            for (LimitKind kind : LimitKind.values()) {
                ask.append(", CAST(:").append(kind.field()).append(i).append(" AS BIGINT)");
            }
            ask.append(')');
        }
        String sql = "WITH ask (subject, rpm, tpm, max_concurrent, monthly_tokens, monthly_spend) AS (VALUES " + ask
                + "), cur AS (SELECT l.subject,"
                + " CASE WHEN l.minute_start = :minute THEN l.minute_requests ELSE 0 END AS mreq,"
                + " CASE WHEN l.minute_start = :minute THEN l.minute_tokens ELSE 0 END AS mtok,"
                + " CASE WHEN l.month_start = :month THEN l.month_tokens ELSE 0 END AS ytok,"
                + " CASE WHEN l.month_start = :month THEN l.month_spend_micros ELSE 0 END AS yspend,"
                + " l.in_flight AS inflight, a.rpm, a.tpm, a.max_concurrent, a.monthly_tokens, a.monthly_spend"
                + " FROM limit_state l JOIN ask a ON a.subject = l.subject ORDER BY l.subject FOR UPDATE OF l),"
                + " ok AS (SELECT COUNT(*) AS found, COUNT(*) FILTER (WHERE"
                + " (rpm IS NULL OR mreq + 1 <= rpm) AND (tpm IS NULL OR mtok + :tokens <= tpm)"
                + " AND (max_concurrent IS NULL OR inflight + 1 <= max_concurrent)"
                + " AND (monthly_tokens IS NULL OR ytok + :tokens <= monthly_tokens)"
                + " AND (monthly_spend IS NULL OR yspend + :spend <= monthly_spend)) AS passing FROM cur),"
                + " upd AS (UPDATE limit_state l SET minute_start = :minute, minute_requests = c.mreq + 1,"
                + " minute_tokens = c.mtok + :tokens, month_start = :month, month_tokens = c.ytok + :tokens,"
                + " month_spend_micros = c.yspend + :spend, in_flight = c.inflight + 1"
                + " FROM cur c, ok WHERE l.subject = c.subject AND ok.found = :n AND ok.passing = :n RETURNING 1),"
                + " res AS (INSERT INTO reservations (id, key_subject, org_subject, tokens, spend_micros, minute_start,"
                + " month_start, node, lease_until) SELECT :id, :a, :b, :tokens, :spend, :minute, :month, :node,"
                + " :lease FROM ok WHERE ok.found = :n AND ok.passing = :n RETURNING 1)"
                + " SELECT c.subject, c.mreq, c.mtok, c.ytok, c.yspend, c.inflight, ok.found, ok.passing,"
                + " (SELECT COUNT(*) FROM upd) FROM cur c CROSS JOIN ok ORDER BY c.subject";
        Query q = h.createQuery(sql);
        for (int i = 0; i < n; i++) {
            Subject s = subjects.get(i);
            q.bind("s" + i, s.name());
            for (LimitKind kind : LimitKind.values()) {
                OptionalLong v = s.limits().get(kind);
                q.bind(kind.field() + i, v.isPresent() ? Long.valueOf(v.getAsLong()) : null);
            }
        }
        q.bind("minute", r.minuteStart()).bind("month", r.monthStart()).bind("tokens", tokens).bind("spend", spend)
                .bind("n", n).bind("id", r.id()).bind("a", r.subjects().get(0))
                .bind("b", n > 1 ? r.subjects().get(1) : null).bind("node", node).bind("lease", leaseUntil);
        List<Row> rows = q.map((rs, ctx) -> new Row(new Counters(rs.getString(1), r.minuteStart(), rs.getLong(2),
                rs.getLong(3), r.monthStart(), rs.getLong(4), rs.getLong(5), rs.getLong(6)),
                rs.getLong(7) == n && rs.getLong(8) == n && rs.getLong(9) == n)).list();
        List<Counters> before = rows.stream().map(Row::counters).toList();
        return new Outcome(before, rows.size() == n && rows.getFirst().admitted());
    }

    /** A subject's counts before, and (the same on every row) whether the statement admitted. */
    private record Row(Counters counters, boolean admitted) {
    }
}
