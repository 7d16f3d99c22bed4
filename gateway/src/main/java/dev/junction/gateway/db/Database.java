package dev.junction.gateway.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The business edition's database: a connection pool, JDBI over it, and the schema brought up to date by Flyway when
 * it opens (the same migrations for SQLite and PostgreSQL, in {@code db/migration}). Every operation of the stores is
 * one {@link #inTransaction transaction}: it commits whole or not at all.
 *
 * <p>SQLite runs in WAL mode with every transaction begun {@code IMMEDIATE} (a writer waits for the lock up to the
 * busy timeout instead of failing half-way); PostgreSQL at READ COMMITTED, the stores taking row locks or writing
 * conditional updates where counters must stay exact across nodes.
 */
public final class Database implements AutoCloseable {
    private final DatabaseUrl url;
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    private Database(DatabaseUrl url, HikariDataSource pool) {
        this.url = url;
        this.pool = pool;
        this.jdbi = Jdbi.create(pool);
    }

    /** Opens the database (creating a SQLite file and its folder if needed) and migrates its schema. */
    public static Database open(DatabaseUrl url) {
        return open(url, 8);
    }

    public static Database open(DatabaseUrl url, int maxConnections) {
        Objects.requireNonNull(url, "url");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.jdbcUrl());
        config.setPoolName("junction-db");
        config.setMaximumPoolSize(maxConnections);
        config.setMinimumIdle(Math.min(2, maxConnections));
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
        if (url.user() != null) config.setUsername(url.user());
        if (url.password() != null) config.setPassword(url.password());
        switch (url.dialect()) {
            case SQLITE -> {
                createFolder(url);
                config.addDataSourceProperty("journal_mode", "WAL");
                config.addDataSourceProperty("synchronous", "NORMAL");
                config.addDataSourceProperty("busy_timeout", "10000");
                config.addDataSourceProperty("foreign_keys", "true");
                config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
                config.setTransactionIsolation("TRANSACTION_SERIALIZABLE");
            }
            case POSTGRESQL -> {
                config.addDataSourceProperty("reWriteBatchedInserts", "true");
                config.addDataSourceProperty("ApplicationName", "junction");
                config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
            }
        }
        HikariDataSource pool = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
            return new Database(url, pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static void createFolder(DatabaseUrl url) {
        String file = url.jdbcUrl().substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        if (query >= 0) file = file.substring(0, query);
        if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) return;
        Path parent = Path.of(file).toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of " + file, e);
        }
    }

    public Dialect dialect() {
        return url.dialect();
    }

    public DatabaseUrl url() {
        return url;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. The isolation
     * level is the pool's (set once per connection, not per transaction: asking and restoring it costs two round
     * trips on PostgreSQL).
     */
    public <R> R inTransaction(Function<Handle, R> work) {
        return jdbi.inTransaction(work::apply);
    }

    /** {@link #inTransaction} for work that returns nothing. */
    public void useTransaction(Consumer<Handle> work) {
        inTransaction(h -> {
            work.accept(h);
            return null;
        });
    }

    /** Runs {@code work} on a connection outside any explicit transaction (single reads). */
    public <R> R withHandle(Function<Handle, R> work) {
        return jdbi.withHandle(work::apply);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Whether the database answers now (for readiness). */
    public boolean reachable() {
        try (Handle h = jdbi.open()) {
            return h.createQuery("SELECT 1").mapTo(Integer.class).one() == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "Database[" + url + "]";
    }
}
