package dev.junction.cli;

import dev.junction.engine.runtime.EngineConfig;
import dev.junction.router.SupplierRouter;
import dev.junction.router.SuppliersView;
import dev.junction.router.config.ConfigException;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.upstream.FakeUpstream;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * {@code serve --config FILE} started in-process as the command starts it, on a free port and without local models:
 * the router alone, over upstreams the test runs. Also writes the file as an operator's tool should.
 */
final class RouterTestSupport {
    private RouterTestSupport() {
    }

    static Serving start(Path configFile) throws ConfigException {
        return Serving.startRouted(configFile, Map.of(), List.of(), EngineConfig.defaults(),
                ServerConfig.defaults().withHost("127.0.0.1").withPort(0), 1, false,
                new PrintWriter(new StringWriter()));
    }

    static SupplierRouter router(Serving serving) {
        return serving.router().orElseThrow();
    }

    /** The admin view of the deployment on {@code supplier} (the tests route one model). */
    static SuppliersView.DeploymentView deployment(Serving serving, String supplier) {
        return router(serving).view().deployments().stream().filter(d -> d.supplier().equals(supplier))
                .findFirst().orElseThrow();
    }

    /** Whether every deployment's requests in flight and contract use are back to zero. */
    static boolean nothingInFlight(Serving serving) {
        return router(serving).view().deployments().stream()
                .allMatch(d -> d.inFlight() == 0 && d.contract().concurrent() == 0);
    }

    /** The completion requests the upstreams received (not the router's health probes). */
    static long completionsReceived(FakeUpstream... upstreams) {
        return Stream.of(upstreams).flatMap(u -> u.requests().stream())
                .filter(r -> r.path().endsWith("completions")).count();
    }

    /** Replaces the file whole: written beside it, then moved over it, so that no reader sees half of it. */
    static void write(Path file, String yaml) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, yaml);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Waits until {@code condition} holds; false when {@code timeout} passed first. */
    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) return false;
            Thread.sleep(20);
        }
        return true;
    }
}
