package dev.junction.router.config;

import dev.junction.router.config.YamlTree.Mapping;
import dev.junction.router.config.YamlTree.Node;
import dev.junction.router.config.YamlTree.Null;
import dev.junction.router.config.YamlTree.Scalar;
import dev.junction.router.config.YamlTree.Sequence;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads one YAML value as what the schema wants (text with {@code ${VAR}} replaced, a number, a duration, a URL…).
 * When it is not, the problem is reported with the value's key path and position and the read returns empty, so that
 * reading goes on and every error of the file is found. Messages quote what was written only where it cannot be a
 * secret.
 */
final class Values {
    private static final Pattern WHOLE = Pattern.compile("-?\\d+(_\\d+)*");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    final Problems problems;
    private final Substitution substitution;

    Values(Problems problems, Substitution substitution) {
        this.problems = problems;
        this.substitution = substitution;
    }

    /** A single value's text, variables replaced. */
    Optional<String> text(Node node, String path) {
        if (!(node instanceof Scalar scalar)) return wrongKind(node, path, "a single value");
        try {
            return Optional.of(substitution.apply(scalar.text()));
        } catch (Substitution.Unresolved e) {
            problems.add(node.at(), path, e.getMessage());
            return Optional.empty();
        }
    }

    /** Text that is not blank (and is quoted in messages: never use it for a secret). */
    Optional<String> name(Node node, String path) {
        return text(node, path).filter(t -> {
            if (!t.isBlank()) return true;
            problems.add(node.at(), path, "must not be empty");
            return false;
        });
    }

    /** A whole number of at least min ({@code _} may group digits: {@code 2_000_000}). */
    Optional<Long> wholeNumber(Node node, String path, long min) {
        return text(node, path).flatMap(t -> {
            String s = t.strip();
            if (!WHOLE.matcher(s).matches()) return problem(node, path, "expected a whole number, got '" + t + "'");
            long n;
            try {
                n = Long.parseLong(s.replace("_", ""));
            } catch (NumberFormatException tooLong) {
                return problem(node, path, "is too large: " + s);
            }
            if (n < min) return problem(node, path, "must be at least " + min + ", got " + s);
            return Optional.of(n);
        });
    }

    /** A whole number in min..Integer.MAX_VALUE. */
    Optional<Integer> count(Node node, String path, int min) {
        return wholeNumber(node, path, min).flatMap(n -> n <= Integer.MAX_VALUE ? Optional.of(n.intValue())
                : problem(node, path, "is too large: at most " + Integer.MAX_VALUE));
    }

    /** A finite number, not negative. */
    Optional<Double> amount(Node node, String path) {
        return text(node, path).flatMap(t -> {
            String s = t.strip();
            if (!DECIMAL.matcher(s).matches()) return problem(node, path, "expected a number, got '" + t + "'");
            double d = Double.parseDouble(s);
            if (d < 0) return problem(node, path, "must not be negative, got " + s);
            if (!Double.isFinite(d)) return problem(node, path, "is too large: " + s);
            return Optional.of(d);
        });
    }

    /** {@code true} or {@code false}. */
    Optional<Boolean> bool(Node node, String path) {
        return text(node, path).flatMap(t -> switch (t.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> Optional.of(true);
            case "false" -> Optional.of(false);
            default -> problem(node, path, "expected true or false, got '" + t + "'");
        });
    }

    /** See {@link Durations}. */
    Optional<Duration> duration(Node node, String path) {
        return text(node, path).flatMap(t -> Durations.parse(t).or(() -> problem(node, path,
                "expected a duration above zero like 500ms, 2s, 5m or 1h, got '" + t + "'")));
    }

    /** An http or https URL with a host, no credentials, no query or fragment; a trailing slash is dropped. */
    Optional<URI> url(Node node, String path) {
        return text(node, path).flatMap(t -> {
            URI uri;
            try {
                uri = new URI(t.strip());
            } catch (URISyntaxException e) {
                return problem(node, path, "not a URL: " + e.getReason());
            }
            if (uri.getRawUserInfo() != null) {
                return problem(node, path, "must not carry credentials: give them as api_key or api_key_file");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return problem(node, path, "must start with http:// or https://, got '" + t + "'");
            }
            if (uri.getHost() == null) return problem(node, path, "has no host: '" + t + "'");
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return problem(node, path, "must not have a query (?…) or fragment (#…)");
            }
            String s = uri.toString();
            return Optional.of(s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri);
        });
    }

    /** One of a fixed set of names (a kind, a strategy), with a "did you mean" when it is not. */
    <T> Optional<T> oneOf(Node node, String path, String what, Function<String, Optional<T>> lookup,
                          Collection<String> names) {
        return text(node, path).flatMap(t -> lookup.apply(t.strip()).or(() -> problem(node, path,
                "unknown " + what + " '" + t + "' " + Suggestions.hint(t.strip(), names))));
    }

    Optional<Mapping> mapping(Node node, String path) {
        return node instanceof Mapping m ? Optional.of(m) : wrongKind(node, path, "a mapping");
    }

    Optional<Sequence> sequence(Node node, String path) {
        return node instanceof Sequence s ? Optional.of(s) : wrongKind(node, path, "a list");
    }

    <T> Optional<T> problem(Node node, String path, String message) {
        problems.add(node.at(), path, message);
        return Optional.empty();
    }

    private <T> Optional<T> wrongKind(Node node, String path, String expected) {
        if (node instanceof Null) return problem(node, path, "has no value: give one, or leave the key out");
        return problem(node, path, "expected " + expected + ", got " + node.kind());
    }
}
