package dev.junction.gateway.usage;

import java.util.Objects;

/** One line of a usage report: the group ({@code 2026-12-01}, a model name, a key id, a supplier) and its totals. */
public record UsageRow(String group, UsageTotals totals) {
    public UsageRow {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(totals, "totals");
    }
}
