package dev.junction.gateway.usage;

import java.time.LocalDate;
import java.util.List;

/** What one {@link Ledger#rollUp} did: the UTC days it rolled up (not those another node did) and the raw rows deleted. */
public record RollupResult(List<LocalDate> rolledDays, long deletedRows) {
    public RollupResult {
        rolledDays = List.copyOf(rolledDays);
    }
}
