package dev.junction.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The model that ships inside the jar (stories260K, MIT; see {@code models/NOTICE.md}), so the first command works
 * offline. GGUF files are memory-mapped, so it is copied once into Junction's data folder ({@link Environment#home},
 * {@code $JUNCTION_HOME}), under {@code models/}.
 */
final class DefaultModel {
    static final String NAME = "stories260K";
    private static final String RESOURCE = "/models/stories260K.gguf";
    private static final long SIZE = 1185376;

    private DefaultModel() {}

    /** The default model's file in the data folder {@code home}, extracted from the jar when absent or incomplete. */
    static Path path(Path home) {
        Path target = home.resolve("models").resolve(NAME + ".gguf");
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
}
