package dev.junction.router.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One thing wrong with a configuration file.
 *
 * @param file    the file as it was named to the loader
 * @param at      where in the file, when the error belongs to a place (not for "cannot read the file")
 * @param path    the key path, e.g. {@code models.llama.deployments[1].supplier}; empty for the whole file
 * @param message what is wrong, never a secret's value
 */
public record ConfigError(String file, Optional<Position> at, String path, String message) {
    /** A place in the file, both counted from 1. */
    public record Position(int line, int column) {
        @Override
        public String toString() {
            return line + ":" + column;
        }
    }

    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** {@code junction.yaml:14:7: models.llama.deployments[1].supplier: unknown supplier 'azure-west'}. */
    @Override
    public String toString() {
        return file + at.map(p -> ":" + p).orElse("") + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }
}
