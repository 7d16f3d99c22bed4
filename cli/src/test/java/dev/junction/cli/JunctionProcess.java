package dev.junction.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code junction} process from the test's own classpath, as a user starts it: the engine's JVM flags, only
 * the {@code JUNCTION_*} variables the test gives (the developer's change nothing), stdout discarded and stderr to
 * a file (not a pipe: a pipe's rest is lost when the process dies).
 */
final class JunctionProcess {
    private static final Pattern SERVING = Pattern.compile("serving .* on (http://\\S+)");
    private static final long START_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(120);

    private JunctionProcess() {
    }

    /** Starts {@code junction args…} with {@code JUNCTION_HOME=home} and {@code environment}, stderr to {@code log}. */
    static Process start(Path home, Path log, Map<String, String> environment, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("JUNCTION_"));
        builder.environment().put("JUNCTION_HOME", home.toString()); // the embedded model is extracted there
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** The URL of the "serving … on URL" line, once the process has written it to {@code log}. */
    static URI awaitServing(Process process, Path log) throws IOException, InterruptedException {
        for (long deadline = System.nanoTime() + START_DEADLINE_NANOS; ; Thread.sleep(50)) {
            Matcher m = SERVING.matcher(Files.readString(log));
            if (m.find()) return URI.create(m.group(1));
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no 'serving … on URL' line in " + log + ":\n" + Files.readString(log));
            }
        }
    }
}
