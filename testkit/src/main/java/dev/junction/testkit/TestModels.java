package dev.junction.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the small real model files and tokenizer test vectors live: the repository's {@code testdata/models} folder
 * ({@code testdata/README.md} gives each file's origin, licence and checksum). The build passes its location as the
 * system property {@code junction.testdata}; without it (a test started from an IDE) the folder is searched for
 * upwards from the working directory.
 */
public final class TestModels {
    private TestModels() {}

    /** The {@code testdata/models} folder; fails with a message saying where it looked when it is absent. */
    public static Path dir() {
        String configured = System.getProperty("junction.testdata");
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured).normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata").resolve("models");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("test model folder not found (looked at -Djunction.testdata="
                + configured + " and for testdata/models above " + Path.of("").toAbsolutePath() + ")");
    }

    /** A file inside {@code testdata/models}, e.g. {@code file("vocab/ggml-vocab-gpt-2.gguf")}. */
    public static Path file(String relative) {
        Path p = dir().resolve(relative);
        if (!Files.exists(p)) throw new IllegalStateException("missing test model file: " + p);
        return p;
    }

    /** The embedded default model, stories260K (MIT). */
    public static Path stories260K() {
        return file("stories260K.gguf");
    }
}
