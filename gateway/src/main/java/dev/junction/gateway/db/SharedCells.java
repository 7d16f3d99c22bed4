package dev.junction.gateway.db;

import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Named cells of bytes in the database that every node changes atomically: {@link #update} reads a cell under a
 * row lock (PostgreSQL; SQLite's write transactions are serial anyway), lets the change compute the new bytes and
 * writes them in the same transaction. The router keeps its capacity contracts here when a database is configured,
 * so a supplier's limits hold across nodes.
 */
public final class SharedCells {
    /** What a change writes and answers. */
    public record Written<R>(byte[] bytes, R result) {
        public Written {
            Objects.requireNonNull(bytes, "bytes");
        }
    }

    private final Database db;

    public SharedCells(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Applies {@code change} to cell {@code key} (null bytes when it is new) in one transaction; returns its result. */
    public <R> R update(String key, Function<byte[], Written<R>> change) {
        Objects.requireNonNull(key, "key");
        String lock = "SELECT state FROM shared_cells WHERE cell_key = :key" + db.dialect().forUpdate();
        return db.inTransaction(h -> {
            Optional<Optional<String>> row = h.createQuery(lock).bind("key", key)
                    .map((rs, ctx) -> Optional.ofNullable(rs.getString(1))).findOne();
            if (row.isEmpty()) {
                h.createUpdate("INSERT INTO shared_cells (cell_key, state, updated_at) VALUES (:key, NULL, 0) "
                        + "ON CONFLICT (cell_key) DO NOTHING").bind("key", key).execute();
                row = h.createQuery(lock).bind("key", key)
                        .map((rs, ctx) -> Optional.ofNullable(rs.getString(1))).findOne();
            }
            byte[] before = row.orElseThrow().map(Base64.getDecoder()::decode).orElse(null);
            Written<R> written = change.apply(before);
            h.createUpdate("UPDATE shared_cells SET state = :state, updated_at = :now WHERE cell_key = :key")
                    .bind("state", Base64.getEncoder().encodeToString(written.bytes()))
                    .bind("now", System.currentTimeMillis()).bind("key", key).execute();
            return written.result();
        });
    }
}
