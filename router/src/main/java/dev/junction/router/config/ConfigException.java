package dev.junction.router.config;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration file that cannot be used, with every error found in it, in file order: the message has one error a
 * line, each as {@code file:line:column: key.path: what is wrong}. Never carries a cause (a YAML parser's message
 * quotes the offending line, which may hold a key), so neither the message nor a stack trace shows a secret.
 */
public final class ConfigException extends Exception {
    private static final Comparator<ConfigError> FILE_ORDER = Comparator.comparing(
            (ConfigError e) -> e.at().map(ConfigError.Position::line).orElse(0))
            .thenComparing(e -> e.at().map(ConfigError.Position::column).orElse(0));

    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().sorted(FILE_ORDER).map(ConfigError::toString).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) throw new IllegalArgumentException("a ConfigException needs at least one error");
        this.errors = errors.stream().sorted(FILE_ORDER).toList();
    }

    /** The errors, in file order (those without a place first). */
    public List<ConfigError> errors() {
        return errors;
    }
}
