package dev.junction.engine.gguf;

import java.nio.file.Path;

/**
 * A model file that cannot be used: wrong magic, unsupported version, truncated, lying sizes, missing metadata or
 * tensors, wrong shapes. The message is one line naming the file and what is wrong, fit to show a user as is.
 */
public final class ModelFormatException extends RuntimeException {
    private final Path file;

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ModelFormatException(Path file, long offset, String problem) {
        this(file, problem + " (at byte " + offset + ")");
    }

    /** The file that was being read. */
    public Path file() {
        return file;
    }
}
