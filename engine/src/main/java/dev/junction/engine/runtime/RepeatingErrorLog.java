package dev.junction.engine.runtime;

import org.slf4j.Logger;

import java.time.InstantSource;

/**
 * Logs an error with its stack trace the first time it happens, and the same error again (same message, exception
 * type and place of the throw, whatever the exception's own message) only as a count: one line with the count when a
 * different error comes, and at most one a minute while it keeps repeating. An engine that fails the same way on
 * every step writes a few lines, not a log per step.
 */
final class RepeatingErrorLog {
    static final long REPORT_EVERY_MILLIS = 60_000;

    private final Logger log;
    private final InstantSource clock;
    private String last;
    private long repeats;
    private long reportedMillis;

    RepeatingErrorLog(Logger log, InstantSource clock) {
        this.log = log;
        this.clock = clock;
    }

    void error(String message, Throwable t) {
        String signature = signature(message, t);
        long now = clock.millis();
        if (signature.equals(last)) {
            repeats++;
            if (now - reportedMillis >= REPORT_EVERY_MILLIS) reportRepeats(now);
            return;
        }
        if (repeats > 0) reportRepeats(now);
        last = signature;
        reportedMillis = now;
        log.error(message, t);
    }

    private void reportRepeats(long now) {
        log.error("the last error happened {} more times in {} s: {}", repeats, (now - reportedMillis + 999) / 1000,
                last);
        repeats = 0;
        reportedMillis = now;
    }

    private static String signature(String message, Throwable t) {
        StackTraceElement[] trace = t.getStackTrace();
        return message + " (" + t.getClass().getName() + (trace.length > 0 ? " at " + trace[0] : "") + ")";
    }
}
