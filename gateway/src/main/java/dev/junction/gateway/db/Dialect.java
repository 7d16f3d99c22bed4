package dev.junction.gateway.db;

/**
 * The two databases Junction stores its records in. The SQL is written once for both; where they differ (row locks,
 * how a write transaction begins) the code asks the dialect.
 */
public enum Dialect {
    /** A file in the data directory; one writer at a time, so every transaction is serial. */
    SQLITE,
    /** A server several Junction nodes share; conditional updates and row locks keep the counters exact. */
    POSTGRESQL;

    /** {@code " FOR UPDATE"} where the database locks rows read in a transaction, empty where it locks the whole file. */
    public String forUpdate() {
        return this == POSTGRESQL ? " FOR UPDATE" : "";
    }
}
