package dev.junction.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition that another thread makes true. */
final class Eventually {
    private Eventually() {
    }

    static void within(Duration patience, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + patience + ": " + what);
            Thread.sleep(10);
        }
    }
}
