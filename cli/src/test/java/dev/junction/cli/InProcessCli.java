package dev.junction.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code junction} command run in-process, as a user runs it (arguments in; stdout, stderr and exit code out),
 * in an environment the test makes: its own data folder, its own stdin and no environment variables, so tests share
 * no global state and the developer's {@code JUNCTION_*} variables change nothing.
 *
 * @param home the data folder the embedded model is extracted into
 */
record InProcessCli(Path home) {
    record Result(int exitCode, String out, String err) {}

    /** An environment with this data folder and stdin, writing to {@code out} and {@code err}. */
    static Environment environment(Path home, String stdin, Writer out, Writer err) {
        return new Environment(home, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out), new PrintWriter(err), Map.of());
    }

    Result run(String... args) {
        return runWithStdin("", args);
    }

    Result runWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, environment(home, stdin, out, err));
        return new Result(code, out.toString(), err.toString());
    }
}
