package dev.junction.gateway.usage;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a usage report's rows are per: a UTC day ({@code 2026-12-01}), a public model, a key id or a supplier. */
public enum GroupBy {
    DAY, MODEL, KEY, SUPPLIER;

    /** The name clients write ({@code day}, {@code model}, {@code key}, {@code supplier}). */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the {@code group_by} parameter; an {@link IllegalArgumentException} names the accepted values. */
    public static GroupBy parse(String text) {
        for (GroupBy g : values()) {
            if (g.wire().equals(text)) return g;
        }
        throw new IllegalArgumentException("group_by must be one of "
                + Arrays.stream(values()).map(GroupBy::wire).collect(Collectors.joining(", ")) + ", not '" + text + "'");
    }
}
