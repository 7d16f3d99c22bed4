package dev.junction.cli;

import dev.junction.engine.gguf.ModelFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code junction} command: one subcommand per job. */
@Command(name = "junction", mixinStandardHelpOptions = true, version = "junction 0.1.0",
        description = "Run open-weight models locally and serve them.",
        subcommands = {RunCommand.class, ServeCommand.class, TokenizeCommand.class, InfoCommand.class, GgufCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the given output streams; returns the exit code. Used by tests too. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        try {
            cli.setDefaultValueProvider(ConfigDefaults.forArgs(args, System.getenv()));
        } catch (RuntimeException e) {
            err.println("junction: " + oneLine(e));
            err.flush();
            return 2;
        }
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("junction: " + oneLine(e));
            commandLine.getErr().flush();
            return 1;
        });
        return cli.execute(args);
    }

    /** A user-facing one-line message: model-file and argument problems are already phrased for users. */
    static String oneLine(Throwable e) {
        if (e instanceof ModelFormatException || e instanceof IllegalArgumentException
                || e instanceof java.io.UncheckedIOException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
