package dev.junction.gateway.usage;

import java.util.List;
import java.util.Objects;

/** A usage report: its rows sorted by group, and their sum. */
public record UsageReport(List<UsageRow> rows, UsageTotals totals) {
    public UsageReport {
        rows = List.copyOf(rows);
        Objects.requireNonNull(totals, "totals");
    }
}
