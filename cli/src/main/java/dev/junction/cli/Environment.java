package dev.junction.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a command takes from the process that runs it: Junction's data folder, the standard streams and the
 * environment variables. {@link Main#main} builds it from the real process and hands it to each command; tests build
 * their own, so no command reads global state and no test has to change it.
 *
 * @param home      Junction's data folder; the embedded model is extracted into {@code home/models/}
 * @param variables the environment variables: {@code JUNCTION_<OPTION>} option defaults, {@code JUNCTION_CONFIG}
 */
record Environment(Path home, InputStream stdin, PrintWriter out, PrintWriter err, Map<String, String> variables) {
    Environment {
        Objects.requireNonNull(home);
        Objects.requireNonNull(stdin);
        Objects.requireNonNull(out);
        Objects.requireNonNull(err);
        variables = Map.copyOf(variables);
    }

    /** The running process's environment; its data folder is {@code $JUNCTION_HOME}, else {@code ~/.junction}. */
    static Environment ofProcess() {
        Map<String, String> variables = System.getenv();
        String home = variables.get("JUNCTION_HOME");
        return new Environment(home != null && !home.isBlank() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".junction"), System.in, new PrintWriter(System.out, true),
                new PrintWriter(System.err, true), variables);
    }

    /** A MODEL argument as a path; when it is null, the embedded model's file (extracted into {@link #home}). */
    Path model(String arg) {
        return arg == null ? DefaultModel.path(home) : Path.of(arg);
    }
}
