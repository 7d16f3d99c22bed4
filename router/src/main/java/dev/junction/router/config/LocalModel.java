package dev.junction.router.config;

import java.nio.file.Path;
import java.util.Objects;

/** A model the local supplier serves: written {@code embedded} or as the path of a GGUF file. */
public sealed interface LocalModel {
    /** The small model built into Junction (what {@code ./junction serve} serves without {@code --model}). */
    record Embedded() implements LocalModel {
    }

    /**
     * A GGUF file. A relative path in the file is resolved against the configuration file's folder, so the file
     * means the same wherever {@code serve} is started. Whether the file exists is checked when it is loaded, not
     * here.
     */
    record GgufFile(Path path) implements LocalModel {
        public GgufFile {
            Objects.requireNonNull(path, "path");
        }
    }
}
