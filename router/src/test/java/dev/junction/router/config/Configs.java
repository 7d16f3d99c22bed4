package dev.junction.router.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Loads YAML written in a test as the file {@code junction.yaml}, for its configuration or its error lines. */
final class Configs {
    static final Path FILE = Path.of("junction.yaml");

    private Configs() {
    }

    static RouterConfig load(String yaml, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(env).load(FILE, yaml.getBytes(StandardCharsets.UTF_8));
    }

    static RouterConfig load(String yaml) throws ConfigException {
        return load(yaml, Map.of());
    }

    static ConfigException failure(String yaml, Map<String, String> env) {
        return assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> load(yaml, env)).actual();
    }

    /** The message's lines: one error each. */
    static List<String> errors(String yaml, Map<String, String> env) {
        return failure(yaml, env).getMessage().lines().toList();
    }

    static List<String> errors(String yaml) {
        return errors(yaml, Map.of());
    }

    /** A valid file around one supplier's lines (indented under {@code suppliers:}), used by one deployment. */
    static String withSupplier(String supplierLines) {
        return "suppliers:\n" + supplierLines.indent(2)
                + "models:\n  m:\n    deployments: [{supplier: s}]\n";
    }
}
