package dev.junction.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real {@code junction serve} processes on loopback, to stand behind a router as {@code openai} suppliers: each
 * serves the embedded model ({@link #MODEL}) with a small context and one kernel thread, from its own data folder,
 * its stderr in a file there. One can be killed with SIGKILL, paused and resumed (SIGSTOP, SIGCONT), and started
 * again on the same port, so the URL the router was given stays valid.
 */
final class SupplierProcesses implements AutoCloseable {
    /** The model every process serves. */
    static final String MODEL = DefaultModel.NAME;

    /** One supplier: its folder, the process now running, where it serves, and how often it was started. */
    private static final class Supplier {
        final Path home;
        Process process;
        URI base;
        int starts;

        Supplier(Path home) {
            this.home = home;
        }
    }

    private final List<Supplier> suppliers;

    private SupplierProcesses(List<Supplier> suppliers) {
        this.suppliers = suppliers;
    }

    /** Starts {@code count} processes at once, each in its own folder under {@code dir}, and waits for their URLs. */
    static SupplierProcesses start(int count, Path dir) throws IOException, InterruptedException {
        List<Supplier> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(new Supplier(Files.createDirectories(dir.resolve("supplier-" + i))));
        }
        SupplierProcesses processes = new SupplierProcesses(all);
        try {
            for (Supplier s : all) launch(s, 0);
            for (Supplier s : all) s.base = awaitUrl(s);
            return processes;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            processes.close();
            throw e;
        }
    }

    int count() {
        return suppliers.size();
    }

    /** Where process {@code i} serves, e.g. {@code http://127.0.0.1:41234}. */
    URI baseUri(int i) {
        return suppliers.get(i).base;
    }

    /** The OpenAI API base of process {@code i}, as a router's {@code url:} names it. */
    URI apiBase(int i) {
        return URI.create(baseUri(i) + "/v1");
    }

    /** SIGKILL: the process ends at once, nothing flushed; the kernel closes its connections. */
    void kill9(int i) throws InterruptedException {
        Process p = suppliers.get(i).process;
        p.destroyForcibly(); // SIGKILL on Linux
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("supplier " + i + " outlived SIGKILL");
    }

    /** Starts process {@code i} again, on the port it had, after it ended; waits for it to serve. */
    void restart(int i) throws IOException, InterruptedException {
        Supplier s = suppliers.get(i);
        if (s.process.isAlive()) throw new IllegalStateException("supplier " + i + " is still running");
        URI before = s.base;
        launch(s, before.getPort());
        s.base = awaitUrl(s);
        if (!s.base.equals(before)) throw new AssertionError("supplier " + i + " came back on " + s.base);
    }

    /** SIGSTOP: the process stops running (its kernel still accepts connections) until {@link #resume}. */
    void pause(int i) throws IOException, InterruptedException {
        signal(i, "STOP");
    }

    /** SIGCONT: a paused process runs again. */
    void resume(int i) throws IOException, InterruptedException {
        signal(i, "CONT");
    }

    /**
     * The sum of a counter's samples (every label set) on process {@code i}'s Prometheus {@code /metrics}, e.g.
     * {@code junction_prefix_cache_hit_tokens_total}; 0 when it has none.
     */
    double counter(int i, String name) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String text = http.send(HttpRequest.newBuilder(baseUri(i).resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }
    }

    /** Kills every process that is still running. */
    @Override
    public void close() {
        for (Supplier s : suppliers) {
            if (s.process == null) continue;
            s.process.destroyForcibly(); // works on a paused process too
            try {
                s.process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void signal(int i, String signal) throws IOException, InterruptedException {
        long pid = suppliers.get(i).process.pid();
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) throw new IOException("kill -" + signal + " " + pid + " failed");
    }

    /** {@code junction serve} on the embedded model with a small context and one kernel thread. */
    private static void launch(Supplier s, int port) throws IOException {
        s.starts++;
        s.process = JunctionProcess.start(s.home, logFile(s), Map.of(), List.of("serve", "--port",
                Integer.toString(port), "--ctx", "256", "--threads", "1"));
    }

    private static Path logFile(Supplier s) {
        return s.home.resolve("stderr-" + s.starts + ".log");
    }

    private static URI awaitUrl(Supplier s) throws IOException, InterruptedException {
        return JunctionProcess.awaitServing(s.process, logFile(s));
    }
}
