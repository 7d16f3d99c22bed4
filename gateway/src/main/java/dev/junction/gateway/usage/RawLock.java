package dev.junction.gateway.usage;

import dev.junction.gateway.db.Dialect;
import org.jdbi.v3.core.Handle;

/**
 * How a transaction that decides "raw row or daily total" keeps that decision true until it commits, on PostgreSQL:
 * a batch write holds {@code usage_records} in ROW EXCLUSIVE mode (batches never wait for each other), a day's
 * rollup in SHARE mode (it waits for the batches in flight and holds new ones back until it has marked the day and
 * added it up). So a batch never writes a raw row for a day that a rollup committed meanwhile, and a rollup never
 * misses a row a batch was writing. Both take the lock as their first statement, so they cannot deadlock. SQLite's
 * write transactions are serial anyway.
 */
enum RawLock {
    WRITE("ROW EXCLUSIVE"),
    ROLL_UP("SHARE");

    private final String mode;

    RawLock(String mode) {
        this.mode = mode;
    }

    void take(Handle h, Dialect dialect) {
        if (dialect == Dialect.POSTGRESQL) h.execute("LOCK TABLE usage_records IN " + mode + " MODE");
    }
}
