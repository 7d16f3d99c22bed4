package dev.junction.router.config;

import java.util.Objects;

/**
 * A credential (an API key). {@link #toString()} never shows it, so no log line, exception or printed configuration
 * can leak it; only {@link #reveal()} gives the value, for the one place that sends it to the supplier.
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The credential itself: call it only to put it on the wire. */
    public String reveal() {
        return value;
    }

    /** Same value (so a reload that changes nothing but re-reads a key file is seen as unchanged). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "Secret[***]";
    }
}
