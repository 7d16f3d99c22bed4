package dev.junction.engine.runtime;

import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceException.Kind;
import dev.junction.inference.ServiceStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine thread of one model: moves requests and cancellations from other threads into its {@link EngineCore},
 * steps the core while it has work, and parks when it has none. The only thread that touches the core (and through
 * it the scheduler, the model runner and the listeners).
 *
 * <p>Refuses requests beyond the queue limit at once (overloaded). A step that fails is handed to
 * {@link EngineCore#recover}, which ends what was in flight and leaves the core ready: the loop goes on, and parks
 * again when idle.
 */
final class EngineLoop {
    private static final Logger LOG = LoggerFactory.getLogger(EngineLoop.class);
    private final EngineCore core;
    private final int maxRunning;
    private final ModelRunner runner;
    private final InstantSource clock;
    private final int maxQueue;
    private final RetryAdvice retryAdvice;
    private final Thread thread;

    private final Object lock = new Object();
    private final Queue<Request> inbox = new ConcurrentLinkedQueue<>();
    private final Queue<Request> cancels = new ConcurrentLinkedQueue<>();
    private volatile boolean shuttingDown;
    private volatile long graceDeadlineMillis;
    private volatile ServiceStats stats;

    EngineLoop(Scheduler scheduler, ModelRunner runner, Duration queueTimeout, int maxQueue, InstantSource clock,
               String name) {
        this.runner = runner;
        this.clock = clock;
        this.maxQueue = maxQueue;
        this.maxRunning = scheduler.maxRunning();
        this.retryAdvice = new RetryAdvice((int) Math.min(Integer.MAX_VALUE, queueTimeout.toSeconds()));
        this.core = new EngineCore(scheduler, runner, queueTimeout.toMillis(), retryAdvice, clock);
        this.stats = core.stats();
        this.thread = Thread.ofPlatform().name("junction-engine-" + name).daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Whether requests are taken. */
    boolean accepting() {
        return !shuttingDown && thread.isAlive();
    }

    long nowMillis() {
        return clock.millis();
    }

    ServiceStats stats() {
        return stats;
    }

    /**
     * Queues a request (any thread).
     *
     * @throws InferenceException UNAVAILABLE when shutting down, OVERLOADED when the queue is full
     */
    void submit(Request r) {
        synchronized (lock) {
            if (shuttingDown) throw new InferenceException(Kind.UNAVAILABLE, null, "The service is shutting down");
            int freeSlots = Math.max(0, maxRunning - core.started());
            int waiting = core.notStarted();
            if (waiting >= maxQueue + freeSlots) {
                int retryAfter = retryAdvice.seconds(waiting, clock.millis());
                throw new InferenceException(Kind.OVERLOADED, null, "The server is busy: " + waiting
                        + " requests are waiting. Retry after " + retryAfter + " s.", retryAfter, null);
            }
            core.accepted();
            inbox.add(r);
        }
        LockSupport.unpark(thread);
    }

    /** Asks for a request to be cancelled (any thread, any moment; a request already over is left alone). */
    void cancel(Request r) {
        cancels.add(r);
        LockSupport.unpark(thread);
    }

    /**
     * Stops taking requests, lets the accepted ones run until {@code graceMillis} have passed, cancels the rest and
     * waits for the engine thread to end.
     */
    void shutdown(long graceMillis) {
        synchronized (lock) {
            if (!shuttingDown) {
                graceDeadlineMillis = clock.millis() + Math.max(0, graceMillis);
                shuttingDown = true;
            }
        }
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) return;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void run() {
        try {
            while (true) {
                try {
                    takeRequestsAndCancellations();
                    core.expireWaiting();
                    if (shuttingDown && (!core.holdsRequests() || clock.millis() >= graceDeadlineMillis)) break;
                    if (core.hasWork()) {
                        core.step();
                    } else {
                        stats = core.stats();
                        LockSupport.park(this);
                    }
                } catch (Throwable t) { // an engine bug or a broken model: end what is in flight, go on serving
                    core.recover(t);
                }
                stats = core.stats();
            }
            takeRequestsAndCancellations(); // nothing more arrives once shutting down
            core.cancelAll();
        } finally {
            stats = core.stats();
            try {
                runner.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the model runner failed", e);
            }
        }
    }

    /**
     * New requests first, then cancellations: a cancel that overtook its request (both arrived since the last turn)
     * then finds it in the core. One that still finds its request queued is harmless: the core ends a request that
     * was cancelled before it arrived when it arrives.
     */
    private void takeRequestsAndCancellations() {
        for (Request r; (r = inbox.poll()) != null; ) core.add(r);
        for (Request r; (r = cancels.poll()) != null; ) core.cancel(r);
    }
}
