package dev.junction.cli;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The process signals {@code serve} answers: INT and TERM stop it, HUP reloads its configuration file. */
final class Signals {
    private Signals() {
    }

    /** Blocks until SIGINT or SIGTERM. */
    static void awaitTermination() throws InterruptedException {
        CountDownLatch signalled = new CountDownLatch(1);
        for (String name : List.of("INT", "TERM")) handle(name, signalled::countDown);
        signalled.await();
    }

    /** Runs {@code action} on each SIGHUP (the last one registered wins), where the platform has that signal. */
    static void onHangUp(Runnable action) {
        handle("HUP", action);
    }

    private static void handle(String name, Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
        } catch (IllegalArgumentException unsupported) {
            // this platform does not deliver that signal (or the JVM keeps it); the others still work
        }
    }
}
