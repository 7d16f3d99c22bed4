package dev.junction.cli;

import dev.junction.engine.gguf.ModelFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code junction} command: one subcommand per job. */
@Command(name = "junction", mixinStandardHelpOptions = true, version = "junction 0.1.0",
        description = "Run open-weight models locally and serve them.")
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args, Environment.ofProcess()));
    }

    /** Runs a command line in the given environment; returns the exit code. Tests run it in one of their own. */
    static int execute(String[] args, Environment env) {
        CommandLine cli = new CommandLine(new Main())
                .addSubcommand(new RunCommand(env))
                .addSubcommand(new ServeCommand(env))
                .addSubcommand(new TokenizeCommand(env))
                .addSubcommand(new InfoCommand(env))
                .addSubcommand(new GgufCommand())
                .addSubcommand(new BenchCommand(env))
                .addSubcommand(AdminCommand.commandLine(env))
                .addSubcommand(new CommandLine.HelpCommand());
        cli.setOut(env.out()); // after the subcommands: picocli hands these settings to the ones already added
        cli.setErr(env.err());
        try {
            cli.setDefaultValueProvider(ConfigDefaults.forArgs(args, env.variables()));
        } catch (RuntimeException e) {
            env.err().println("junction: " + oneLine(e));
            env.err().flush();
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
