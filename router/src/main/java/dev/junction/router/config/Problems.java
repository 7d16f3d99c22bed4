package dev.junction.router.config;

import dev.junction.router.config.ConfigError.Position;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The errors found while reading one file, collected so that the file is reported whole, not first error only. */
final class Problems {
    private final String file;
    private final List<ConfigError> errors = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    void add(Position at, String path, String message) {
        errors.add(new ConfigError(file, Optional.of(at), path, message));
    }

    /** An error that belongs to no place in the file (it cannot be read at all). */
    void addUnplaced(String message) {
        errors.add(new ConfigError(file, Optional.empty(), "", message));
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) throw new ConfigException(errors);
    }
}
