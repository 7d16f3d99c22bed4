package dev.junction.gateway.db;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the database is, as users write it: {@code postgresql://user:password@host:5432/junction} (or
 * {@code postgres://}), a {@code jdbc:postgresql:} or {@code jdbc:sqlite:} URL, or {@code sqlite:PATH} / a plain file
 * path for SQLite. {@link #toString()} never shows the password.
 */
public record DatabaseUrl(Dialect dialect, String jdbcUrl, String user, String password) {
    public DatabaseUrl {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    }

    /** SQLite in the file {@code file} (created with its folder on first use). */
    public static DatabaseUrl sqlite(Path file) {
        return new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:" + file.toAbsolutePath(), null, null);
    }

    /** Reads what a user wrote; an {@link IllegalArgumentException} says what is wrong with it. */
    public static DatabaseUrl parse(String text) {
        String s = Objects.requireNonNull(text, "url").strip();
        if (s.isEmpty()) throw new IllegalArgumentException("the database URL is empty");
        if (s.startsWith("jdbc:postgresql:")) return new DatabaseUrl(Dialect.POSTGRESQL, s, null, null);
        if (s.startsWith("jdbc:sqlite:")) return new DatabaseUrl(Dialect.SQLITE, s, null, null);
        if (s.startsWith("sqlite:")) return sqlite(Path.of(s.substring("sqlite:".length())));
        if (s.startsWith("postgresql://") || s.startsWith("postgres://")) return postgres(s);
        if (s.contains("://")) {
            throw new IllegalArgumentException("unsupported database URL scheme in " + redact(s)
                    + " (use postgresql://user:password@host:port/database or sqlite:FILE)");
        }
        return sqlite(Path.of(s));
    }

    private static DatabaseUrl postgres(String s) {
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed database URL " + redact(s));
        }
        if (uri.getHost() == null) throw new IllegalArgumentException("no host in database URL " + redact(s));
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            if (parts.length == 2) password = decode(parts[1]);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path
                + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        return new DatabaseUrl(Dialect.POSTGRESQL, jdbc, user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL with any password replaced by {@code ***}. */
    private static String redact(String s) {
        return s.replaceAll("://([^:/@]*):[^@]*@", "://$1:***@");
    }

    @Override
    public String toString() {
        return dialect + " " + jdbcUrl + (user != null ? " as " + user : "");
    }
}
