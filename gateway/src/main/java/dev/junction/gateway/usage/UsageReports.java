package dev.junction.gateway.usage;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Adds usage up in one SQL statement (so one snapshot: a rollup committing meanwhile cannot make a day count twice
 * or not at all): raw records of days not rolled up, exactly within {@code [since, until)}, plus the daily totals of
 * rolled-up days whose start lies in {@code [since, until)}. Organizations and keys are matched through their labels;
 * one that never used anything has no label and matches nothing.
 */
final class UsageReports {
    private static final String SUMS = "COALESCE(SUM(u.requests), 0), COALESCE(SUM(u.prompt_tokens), 0), "
            + "COALESCE(SUM(u.completion_tokens), 0), COALESCE(SUM(u.cached_tokens), 0), "
            + "COALESCE(SUM(u.spend_micros), 0)";

    UsageReport report(Handle h, UsageQuery q) {
        String select = switch (q.groupBy()) {
            case DAY -> "SELECT u.day AS grp, " + SUMS + " FROM (" + union(q.organizationId(), q.keyId()) + ") u "
                    + "GROUP BY u.day";
            case MODEL -> byLabel("model_label", q);
            case KEY -> byLabel("key_label", q);
            case SUPPLIER -> byLabel("supplier_label", q);
        };
        List<UsageRow> rows = bind(h.createQuery(select), q.organizationId(), q.keyId(), q.since(), q.until())
                .map((rs, ctx) -> new UsageRow(group(rs, q.groupBy()), totals(rs, 2)))
                .list();
        rows = rows.stream().sorted(Comparator.comparing(UsageRow::group)).toList();
        UsageTotals sum = rows.stream().map(UsageRow::totals).reduce(UsageTotals.ZERO, UsageTotals::plus);
        return new UsageReport(rows, sum);
    }

    UsageTotals totals(Handle h, Optional<String> organizationId, Optional<String> keyId, Instant since,
                       Instant until) {
        String select = "SELECT " + SUMS + " FROM (" + union(organizationId, keyId) + ") u";
        return bind(h.createQuery(select), organizationId, keyId, since, until).map((rs, ctx) -> totals(rs, 1)).one();
    }

    private static String byLabel(String column, UsageQuery q) {
        return "SELECT l.name AS grp, " + SUMS + " FROM (" + union(q.organizationId(), q.keyId()) + ") u "
                + "JOIN usage_labels l ON l.id = u." + column + " GROUP BY l.name";
    }

    private static String union(Optional<String> organizationId, Optional<String> keyId) {
        String filters = (organizationId.isPresent()
                ? " AND %1$s.organization_label = (SELECT id FROM usage_labels WHERE name = :org)" : "")
                + (keyId.isPresent() ? " AND %1$s.key_label = (SELECT id FROM usage_labels WHERE name = :key)" : "");
        return "SELECT r.at / " + UsageDays.DAY_MILLIS + " AS day, r.key_label, r.model_label, r.supplier_label, "
                + "1 AS requests, r.prompt_tokens, r.completion_tokens, r.cached_tokens, r.price_micros AS spend_micros "
                + "FROM usage_records r WHERE r.at >= :since AND r.at < :until" + filters.formatted("r")
                + " AND NOT EXISTS (SELECT 1 FROM usage_rolled_days x WHERE x.day = r.at / " + UsageDays.DAY_MILLIS
                + ") UNION ALL "
                + "SELECT d.day, d.key_label, d.model_label, d.supplier_label, d.requests, d.prompt_tokens, "
                + "d.completion_tokens, d.cached_tokens, d.spend_micros "
                + "FROM usage_daily d WHERE d.day >= :since_day AND d.day < :until_day" + filters.formatted("d");
    }

    private static Query bind(Query query, Optional<String> organizationId, Optional<String> keyId, Instant since,
                              Instant until) {
        query.bind("since", since.toEpochMilli()).bind("until", until.toEpochMilli())
                .bind("since_day", UsageDays.firstStartingAtOrAfter(since.toEpochMilli()))
                .bind("until_day", UsageDays.firstStartingAtOrAfter(until.toEpochMilli()));
        organizationId.ifPresent(org -> query.bind("org", org));
        keyId.ifPresent(key -> query.bind("key", key));
        return query;
    }

    private static String group(ResultSet rs, GroupBy groupBy) throws SQLException {
        return groupBy == GroupBy.DAY ? UsageDays.date(rs.getLong("grp")).toString() : rs.getString("grp");
    }

    private static UsageTotals totals(ResultSet rs, int first) throws SQLException {
        return new UsageTotals(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2), rs.getLong(first + 3),
                rs.getLong(first + 4));
    }
}
