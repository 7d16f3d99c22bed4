package dev.junction.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The model that ships inside the jar (stories260K, MIT; see {@code models/NOTICE.md}), so the first command works
 * offline. GGUF files are memory-mapped, so it is copied once into {@code $JUNCTION_HOME/models/}.
 */
final class DefaultModel {
    static final String NAME = "stories260K";
    private static final String RESOURCE = "/models/stories260K.gguf";
    private static final long SIZE = 1185376;

    private DefaultModel() {}

    /** Junction's data folder: {@code $JUNCTION_HOME}, else {@code ~/.junction}. */
    static Path home() {
        String env = System.getenv("JUNCTION_HOME");
        if (env == null || env.isBlank()) env = System.getProperty("junction.home");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".junction");
    }

    /** The default model's file, extracted from the jar when absent or incomplete. */
    static Path path() {
        Path target = home().resolve("models").resolve(NAME + ".gguf");
        try {
            if (Files.isRegularFile(target) && Files.size(target) == SIZE) return target;
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), NAME, ".part");
            try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException("the embedded model is missing from the jar");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the default model to " + target + ": " + e.getMessage(), e);
        }
    }

    /** {@code arg} as a path, or the default model when it is null. */
    static Path resolve(String arg) {
        return arg == null ? path() : Path.of(arg);
    }
}
