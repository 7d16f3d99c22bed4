package dev.junction.gateway;

import dev.junction.gateway.db.Database;
import dev.junction.gateway.db.DatabaseUrl;
import dev.junction.gateway.db.Dialect;
import dev.junction.testkit.db.TestPostgres;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two databases every store contract test runs against: a SQLite file in the test's folder, and a fresh
 * database on a real PostgreSQL server ({@link TestPostgres}).
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
            return new DatabaseUrl(Dialect.POSTGRESQL, "jdbc:postgresql://localhost:" + TestPostgres.port() + "/"
                    + TestPostgres.newDatabase(), "postgres", null);
        }
    };

    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** A new, empty database's URL (a file in {@code folder} for SQLite). */
    public abstract DatabaseUrl url(Path folder);

    /** A new, empty database, migrated. */
    public Database open(Path folder) {
        return Database.open(url(folder));
    }
}
