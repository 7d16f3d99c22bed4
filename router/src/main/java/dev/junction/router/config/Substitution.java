package dev.junction.router.config;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Replaces {@code ${NAME}} in a value with the variable {@code NAME} of an environment passed in (never
 * {@code System.getenv} itself, so tests need no global state). {@code NAME} is a letter or {@code _}, then letters,
 * digits or {@code _}. {@code $${} writes a literal {@code ${}; any other {@code $} stays as it is. An unset variable,
 * or a {@code ${} that does not form a reference, is an error.
 */
final class Substitution {
    private final Function<String, String> environment;

    Substitution(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    Substitution(Map<String, String> environment) {
        this(Map.copyOf(environment)::get);
    }

    /** What went wrong, naming the variable (never a value). */
    static final class Unresolved extends Exception {
        Unresolved(String message) {
            super(message, null, false, false);
        }
    }

    String apply(String value) throws Unresolved {
        int start = value.indexOf("${");
        if (start < 0) return value;
        StringBuilder out = new StringBuilder(value.length());
        int from = 0;
        while (start >= 0) {
            if (start > from && value.charAt(start - 1) == '$') {
                out.append(value, from, start - 1).append("${");
                from = start + 2;
            } else {
                int end = value.indexOf('}', start + 2);
                String name = end < 0 ? "" : value.substring(start + 2, end);
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new Unresolved("malformed variable reference at character " + (start + 1)
                            + ": write ${NAME} (letters, digits, _), or $${ for a literal ${");
                }
                String replacement = environment.apply(name);
                if (replacement == null) throw new Unresolved("environment variable " + name + " is not set");
                out.append(value, from, start).append(replacement);
                from = end + 1;
            }
            start = value.indexOf("${", from);
        }
        return out.append(value, from, value.length()).toString();
    }
}
