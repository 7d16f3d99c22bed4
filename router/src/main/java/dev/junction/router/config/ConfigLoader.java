package dev.junction.router.config;

import dev.junction.router.config.ConfigError.Position;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads and checks a configuration file ({@code junction.yaml}, the shape of the example): the whole file is
 * checked, and a {@link ConfigException} lists every error with file, line, column and key path.
 *
 * <p>Rules a file must follow beyond its shape:
 * <ul>
 *   <li>{@code ${NAME}} in any value is replaced from the environment given here (see {@link Substitution});
 *       an unset variable is an error.</li>
 *   <li>Durations are a whole number and a unit: {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}; a bare number
 *       is refused.</li>
 *   <li>Limits ({@code max_concurrent}, {@code rpm}, {@code tpm}), {@code tier} and {@code weight} are whole numbers
 *       of at least 1; prices are numbers of at least 0.</li>
 *   <li>Relative paths ({@code models} of a local supplier, {@code api_key_file}) start at the file's folder.</li>
 *   <li>Keys are as in the example ({@code api_key}, {@code first_token}); an unknown key is an error. Only in
 *       {@code server:} may a dash be written as an underscore.</li>
 * </ul>
 */
public final class ConfigLoader {
    private final Substitution substitution;

    /** @param environment where {@code ${NAME}} is looked up (e.g. {@code System.getenv()} in the cli) */
    public ConfigLoader(Map<String, String> environment) {
        this.substitution = new Substitution(environment);
    }

    /** @param environment a variable's value by name, or null when it is unset */
    public ConfigLoader(Function<String, String> environment) {
        this.substitution = new Substitution(environment);
    }

    public RouterConfig load(Path file) throws ConfigException {
        return load(file, read(file));
    }

    /** The file's bytes, or a ConfigException saying it cannot be read. */
    static byte[] read(Path file) throws ConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(file.toString(), Optional.empty(), "",
                    "cannot read the file (" + e.getClass().getSimpleName() + ")")));
        }
    }

    /**
     * Reads content as the file's: file names it in errors and is where relative paths start; it is not read.
     */
    public RouterConfig load(Path file, byte[] content) throws ConfigException {
        Problems problems = new Problems(file.toString());
        Values values = new Values(problems, substitution);
        Path folder = file.toAbsolutePath().getParent();
        Optional<RouterConfig> config = YamlTree.parse(content, problems)
                .flatMap(root -> new ConfigBinder(values, folder).bind(root));
        if (problems.isEmpty() && config.isEmpty()) {
            problems.add(new Position(1, 1), "", "the file is empty: write a server: section, or suppliers: and models:");
        }
        problems.throwIfAny();
        return config.orElseThrow();
    }
}
