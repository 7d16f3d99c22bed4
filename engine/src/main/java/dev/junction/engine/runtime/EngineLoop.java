package dev.junction.engine.runtime;

import dev.junction.inference.FinishReason;
import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceException.Kind;
import dev.junction.inference.ServiceStats;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine thread of one model: repeats schedule → execute → sample and update, the only thread that touches the
 * {@link Scheduler}, the {@link ModelRunner} and the requests' samplers, and the one that calls listeners. Other
 * threads hand it new requests and cancellations through queues and wake it; it sleeps when there is nothing to do.
 *
 * <p>Refuses requests beyond the queue limit at once (overloaded), fails those that wait longer than the queue
 * timeout, and survives failures: a step that throws fails the requests in it, a listener that throws ends its own
 * request, and the loop goes on.
 */
final class EngineLoop {
    private static final System.Logger LOG = System.getLogger(EngineLoop.class.getName());
    private final Scheduler scheduler;
    private final ModelRunner runner;
    private final InstantSource clock;
    private final long queueTimeoutMillis;
    private final int maxQueue;
    private final RetryAdvice retryAdvice;
    private final Thread thread;

    private final Object lock = new Object();
    private final Queue<Request> inbox = new ConcurrentLinkedQueue<>();
    private final Queue<Request> cancels = new ConcurrentLinkedQueue<>();
    /** Accepted requests not yet admitted for the first time; bounds the queue. */
    private final AtomicInteger queued = new AtomicInteger();
    private volatile boolean shuttingDown;
    private volatile long graceDeadlineMillis;
    private volatile ServiceStats stats;

    // engine thread only
    private final Map<Sequence, Request> requests = new IdentityHashMap<>();
    private final ArrayDeque<Request> notYetAdmitted = new ArrayDeque<>();
    private final List<Request> sampledNow = new ArrayList<>();
    private final ModelRunner.PromptScores promptScores =
            (sequence, position, logits, offset) -> requests.get(sequence).scorePrompt(position, logits, offset);
    private long cancellations;

    EngineLoop(Scheduler scheduler, ModelRunner runner, Duration queueTimeout, int maxQueue, InstantSource clock,
               String name) {
        this.scheduler = scheduler;
        this.runner = runner;
        this.clock = clock;
        this.queueTimeoutMillis = queueTimeout.toMillis();
        this.maxQueue = maxQueue;
        this.retryAdvice = new RetryAdvice((int) Math.min(Integer.MAX_VALUE, queueTimeout.toSeconds()));
        this.stats = snapshot();
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
            if (shuttingDown) throw unavailable();
            int freeSlots = Math.max(0, scheduler.maxRunning() - stats.running());
            int waiting = queued.get();
            if (waiting >= maxQueue + freeSlots) {
                int retryAfter = retryAdvice.seconds(waiting, clock.millis());
                throw new InferenceException(Kind.OVERLOADED, null, "The server is busy: " + waiting
                        + " requests are waiting. Retry after " + retryAfter + " s.", retryAfter, null);
            }
            queued.incrementAndGet();
            inbox.add(r);
        }
        LockSupport.unpark(thread);
    }

    /** Asks for a request to be cancelled at the next step (any thread). */
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

    private static InferenceException unavailable() {
        return new InferenceException(Kind.UNAVAILABLE, null, "The service is shutting down");
    }

    private void run() {
        try {
            while (true) {
                try {
                    long now = clock.millis();
                    takeNewRequests();
                    takeCancellations();
                    expireWaiting(now);
                    if (shuttingDown && (requests.isEmpty() || now >= graceDeadlineMillis)) break;
                    if (scheduler.hasWork()) {
                        step();
                    } else {
                        stats = snapshot();
                        LockSupport.park(this);
                    }
                } catch (Throwable t) { // a bug: fail what is in flight rather than leave callers waiting
                    LOG.log(System.Logger.Level.ERROR, "engine step failed; failing all requests in flight", t);
                    for (Request r : List.copyOf(requests.values())) fail(r, internal());
                }
            }
            takeNewRequests();
            for (Request r : List.copyOf(requests.values())) complete(r, FinishReason.CANCELLED);
        } finally {
            stats = snapshot();
            try {
                runner.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the model runner failed", e);
            }
        }
    }

    private void takeNewRequests() {
        for (Request r; (r = inbox.poll()) != null; ) {
            try {
                r.sequence = scheduler.submit(r.prompt, r.maxLength, r.scoresPrompt());
            } catch (IllegalArgumentException e) { // the service validates first: a mismatch of limits
                queued.decrementAndGet();
                r.ended = true;
                try {
                    r.fail(new InferenceException(Kind.INVALID_REQUEST, null, e.getMessage()));
                } catch (RuntimeException listenerFailure) {
                    LOG.log(System.Logger.Level.WARNING, "listener of " + r + " failed on error", listenerFailure);
                }
                continue;
            }
            requests.put(r.sequence, r);
            notYetAdmitted.addLast(r);
        }
    }

    private void takeCancellations() {
        for (Request r; (r = cancels.poll()) != null; ) {
            if (!r.ended) complete(r, FinishReason.CANCELLED);
        }
    }

    /** Fails the requests that waited too long to start; they are in the order they came, so the oldest first. */
    private void expireWaiting(long now) {
        while (!notYetAdmitted.isEmpty()) {
            Request r = notYetAdmitted.peekFirst();
            if (r.admitted || r.ended) {
                notYetAdmitted.pollFirst();
            } else if (queueTimeoutMillis > 0 && now - r.submittedMillis > queueTimeoutMillis) {
                notYetAdmitted.pollFirst();
                fail(r, new InferenceException(Kind.QUEUE_TIMEOUT, null, "The request waited more than "
                        + queueTimeoutMillis + " ms in the queue without starting; retry later"));
            } else {
                return;
            }
        }
    }

    private void step() {
        StepPlan plan = scheduler.schedule();
        if (plan.isEmpty()) throw new IllegalStateException("nothing could be scheduled: " + scheduler.waiting()
                + " waiting, " + scheduler.running() + " running, " + scheduler.blocks().freeBlocks() + " free blocks");
        for (int i = 0; i < plan.size(); i++) {
            Request r = requests.get(plan.sequence(i));
            if (plan.admitted(i) && !r.admitted) {
                r.admitted = true;
                r.cachedTokens = plan.sequence(i).cachedTokens();
                queued.decrementAndGet();
                retryAdvice.admitted(clock.millis());
            }
        }
        stats = snapshot();
        try {
            runner.execute(plan, promptScores);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "model step failed; failing its " + plan.size() + " requests", e);
            sampledNow.clear();
            for (int i = 0; i < plan.size(); i++) sampledNow.add(requests.get(plan.sequence(i)));
            for (Request r : sampledNow) fail(r, internal());
            stats = snapshot();
            return;
        }
        scheduler.executed(plan);
        sampledNow.clear();
        for (int i = 0; i < plan.size(); i++) {
            if (plan.wantsLogits(i)) sampledNow.add(requests.get(plan.sequence(i)));
        }
        for (Request r : sampledNow) {
            FinishReason end;
            try {
                end = r.advance(runner.logits(r.sequence));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "sampling or a listener failed for " + r, e);
                fail(r, internal());
                continue;
            }
            if (end == null) scheduler.append(r.sequence, r.lastToken());
            else complete(r, end);
        }
        stats = snapshot();
    }

    private static InferenceException internal() {
        return new InferenceException(Kind.INTERNAL, null, "The engine failed while generating this request");
    }

    private void complete(Request r, FinishReason reason) {
        if (!end(r)) return;
        if (reason == FinishReason.CANCELLED) cancellations++;
        try {
            r.complete(reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener of " + r + " failed on completion", e);
        }
    }

    private void fail(Request r, InferenceException error) {
        if (!end(r)) return;
        try {
            r.fail(error);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener of " + r + " failed on error", e);
        }
    }

    /** Takes a request out of the engine; false if it had already ended. */
    private boolean end(Request r) {
        if (r.ended) return false;
        r.ended = true;
        if (!r.admitted) queued.decrementAndGet();
        r.admitted = true; // never counted again
        scheduler.finish(r.sequence);
        requests.remove(r.sequence);
        return true;
    }

    private ServiceStats snapshot() {
        BlockManager blocks = scheduler.blocks();
        return new ServiceStats(scheduler.waiting(), scheduler.running(), blocks.usedBlocks(), blocks.totalBlocks(),
                blocks.prefixQueryTokens(), blocks.prefixHitTokens(), scheduler.preemptions(), cancellations);
    }
}
