package dev.junction.cli;

import dev.junction.router.config.ConfigException;
import dev.junction.router.config.ConfigLoader;
import dev.junction.router.config.RouterConfig;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Option defaults from the environment and the configuration file, so a service can be configured the way its
 * deployment prefers: the command line wins, then an environment variable {@code JUNCTION_<OPTION>} (the long option
 * name upper-cased, dashes as underscores: {@code --max-queue} → {@code JUNCTION_MAX_QUEUE}), then the key of the same
 * name in the {@code server:} section of the YAML file given by {@code --config FILE} (or {@code JUNCTION_CONFIG}),
 * e.g. {@code max_queue: 32}, then the built-in default. Repeatable options take comma-separated values or a list.
 * The file is checked whole when it is read (suppliers and models too), so a broken file stops the command with the
 * key and line at fault.
 */
final class ConfigDefaults implements IDefaultValueProvider {
    private final Map<String, String> environment;
    private final Optional<RouterConfig> file;

    ConfigDefaults(Map<String, String> environment, Path configFile) {
        this.environment = environment;
        if (configFile == null) {
            this.file = Optional.empty();
            return;
        }
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException("configuration file not found: " + configFile);
        }
        try {
            this.file = Optional.of(new ConfigLoader(environment).load(configFile));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Defaults for a command line: the file named by its {@code --config} argument, else by {@code JUNCTION_CONFIG}. */
    static ConfigDefaults forArgs(String[] args, Map<String, String> environment) {
        return new ConfigDefaults(environment, configFile(args, environment).orElse(null));
    }

    /** The configuration file a command line names, by its {@code --config} argument or {@code JUNCTION_CONFIG}. */
    static Optional<Path> configFile(String[] args, Map<String, String> environment) {
        String config = environment.get("JUNCTION_CONFIG");
        List<String> list = List.of(args);
        for (int i = 0; i < list.size(); i++) {
            String a = list.get(i);
            if (a.equals("--config") && i + 1 < list.size()) config = list.get(i + 1);
            else if (a.startsWith("--config=")) config = a.substring("--config=".length());
        }
        return config == null || config.isBlank() ? Optional.empty() : Optional.of(Path.of(config));
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) return null;
        String key = option.longestName().substring(2);
        if (key.equals("config") || key.equals("help") || key.equals("version")) return null;
        String env = environment.get("JUNCTION_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (env != null) return env;
        return file.map(f -> f.server().get(key)).orElse(null);
    }
}
