package dev.junction.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the small real model files and tokenizer test vectors live: the {@code shared/models} folder that sits
 * beside the repository. The build passes its location as the system property {@code junction.shared.models};
 * without it (a test started from an IDE) the folder is searched for upwards from the working directory.
 */
public final class TestModels {
    private TestModels() {}

    /** The {@code shared/models} folder; fails with a message saying where it looked when it is absent. */
    public static Path dir() {
        String configured = System.getProperty("junction.shared.models");
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured).normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("models");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("shared model folder not found (looked at -Djunction.shared.models="
                + configured + " and for shared/models above " + Path.of("").toAbsolutePath() + ")");
    }

    /** A file inside {@code shared/models}, e.g. {@code file("vocab/ggml-vocab-gpt-2.gguf")}. */
    public static Path file(String relative) {
        Path p = dir().resolve(relative);
        if (!Files.exists(p)) throw new IllegalStateException("missing shared model file: " + p);
        return p;
    }

    /** The embedded default model, stories260K (MIT). */
    public static Path stories260K() {
        return file("stories260K.gguf");
    }
}
