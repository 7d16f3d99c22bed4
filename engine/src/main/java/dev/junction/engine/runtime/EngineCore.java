package dev.junction.engine.runtime;

import dev.junction.inference.FinishReason;
import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceException.Kind;
import dev.junction.inference.ServiceStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The serving core of one model, without threads: it takes requests in, runs one {@link #step} at a time — schedule,
 * execute, sample, then append each sampled token or finish the request — and sends each request's events. The
 * {@link EngineLoop} drives it from its thread (moving requests in, parking when there is nothing to do), and tests
 * drive it directly, step by step, as vLLM's {@code EngineCore.step()} is driven by its busy loop and by its tests.
 *
 * <p>It owns each request's {@link Request.State}: a request moves QUEUED → WAITING → RUNNING → ENDED (or straight
 * to ENDED from any of them), and every request reaches ENDED exactly once, sending exactly one terminal event.
 * Cancellation is a no-op for a request already ended, and for one the core has not seen yet ({@link #add} ends
 * that one when it arrives).
 *
 * <p>A failure inside a step is an engine bug or a broken model: {@link #recover} ends every request in flight with
 * an error, returns every block, checks the {@linkplain #inconsistencies() invariants} (resetting the scheduler if
 * they do not hold) and leaves the core ready for the next request. A listener that throws, or a request whose
 * sampling throws, ends only that request.
 */
final class EngineCore {
    private static final Logger LOG = LoggerFactory.getLogger(EngineCore.class);

    private final Scheduler scheduler;
    private final ModelRunner runner;
    private final InstantSource clock;
    private final long queueTimeoutMillis;
    private final RetryAdvice retryAdvice;
    private final RepeatingErrorLog errors;
    /** Requests accepted but not yet admitted (QUEUED or WAITING): what the queue limit bounds. Read by any thread. */
    private final AtomicInteger notStarted = new AtomicInteger();
    /** Requests RUNNING: admitted and not ended (preempted ones included). Read by any thread. */
    private final AtomicInteger started = new AtomicInteger();
    /** The requests in WAITING or RUNNING, by their sequence. */
    private final Map<Sequence, Request> live = new IdentityHashMap<>();
    /** WAITING requests in arrival order (ended or admitted ones are dropped lazily), for the queue timeout. */
    private final ArrayDeque<Request> arrivals = new ArrayDeque<>();
    private final List<Request> sampled = new ArrayList<>();
    private final ModelRunner.PromptScores promptScores =
            (sequence, position, logits, offset) -> live.get(sequence).scorePrompt(position, logits, offset);
    private long cancellations;

    EngineCore(Scheduler scheduler, ModelRunner runner, long queueTimeoutMillis, RetryAdvice retryAdvice,
               InstantSource clock) {
        this.scheduler = scheduler;
        this.runner = runner;
        this.clock = clock;
        this.queueTimeoutMillis = queueTimeoutMillis;
        this.retryAdvice = retryAdvice;
        this.errors = new RepeatingErrorLog(LOG, clock);
    }

    /** Counts a request that was accepted and is on its way to {@link #add} (any thread). */
    void accepted() {
        notStarted.incrementAndGet();
    }

    /** Requests accepted and not yet admitted (any thread). */
    int notStarted() {
        return notStarted.get();
    }

    /** Requests admitted and not ended (any thread). */
    int started() {
        return started.get();
    }

    /** Whether a request is in flight (WAITING or RUNNING). */
    boolean holdsRequests() {
        return !live.isEmpty();
    }

    /** Whether {@link #step} has anything to do. */
    boolean hasWork() {
        return scheduler.hasWork();
    }

    /**
     * Takes in a request that was {@linkplain #accepted accepted}: it waits for admission, or ends at once when it
     * was cancelled before the core saw it or does not fit the scheduler's limits.
     */
    void add(Request r) {
        if (r.state != Request.State.QUEUED) throw new IllegalStateException(r + " added twice: " + r.state);
        if (r.cancelRequested()) {
            complete(r, FinishReason.CANCELLED);
            return;
        }
        try {
            r.sequence = scheduler.submit(r.prompt, r.maxLength, r.scoresPrompt());
        } catch (IllegalArgumentException e) { // the service validates first: a mismatch of limits
            fail(r, new InferenceException(Kind.INVALID_REQUEST, null, e.getMessage()));
            return;
        }
        r.state = Request.State.WAITING;
        live.put(r.sequence, r);
        arrivals.addLast(r);
    }

    /** Ends a request as cancelled if it is in flight; nothing otherwise (see the class comment). */
    void cancel(Request r) {
        switch (r.state) {
            case WAITING, RUNNING -> complete(r, FinishReason.CANCELLED);
            case QUEUED, ENDED -> { } // not here yet (add ends it) or already over
        }
    }

    /** Fails the requests that waited longer than the queue timeout without starting, oldest first. */
    void expireWaiting() {
        long now = clock.millis();
        while (!arrivals.isEmpty()) {
            Request r = arrivals.peekFirst();
            if (r.state != Request.State.WAITING) {
                arrivals.pollFirst();
            } else if (queueTimeoutMillis > 0 && now - r.submittedMillis > queueTimeoutMillis) {
                arrivals.pollFirst();
                fail(r, new InferenceException(Kind.QUEUE_TIMEOUT, null, "The request waited more than "
                        + queueTimeoutMillis + " ms in the queue without starting; retry later"));
            } else {
                return;
            }
        }
    }

    /**
     * Runs one step: schedules, executes the plan, samples every sequence whose next token is due and appends it,
     * or ends the request. Returns the plan it ran (valid until the next step). Throws only on an engine failure,
     * after which the caller must {@link #recover}.
     */
    StepPlan step() {
        StepPlan plan = scheduler.schedule();
        if (plan.isEmpty()) {
            throw new IllegalStateException("nothing could be scheduled: " + scheduler.waiting() + " waiting, "
                    + scheduler.running() + " running, " + scheduler.blocks().freeBlocks() + " free blocks");
        }
        sampled.clear();
        for (int i = 0; i < plan.size(); i++) {
            Request r = live.get(plan.sequence(i));
            if (r == null) throw new IllegalStateException(plan.sequence(i) + " is scheduled without a request");
            if (r.state == Request.State.WAITING) start(r);
            if (plan.wantsLogits(i)) sampled.add(r);
        }
        runner.execute(plan, promptScores);
        scheduler.executed(plan);
        for (Request r : sampled) {
            if (r.state != Request.State.RUNNING) continue;
            FinishReason end;
            try {
                end = r.advance(runner.logits(r.sequence));
            } catch (RuntimeException e) { // this request's sampling or listener, not the engine
                LOG.warn("{} failed while sampling or sending a token; ending it", r, e);
                fail(r, internal());
                continue;
            }
            if (end == null) scheduler.append(r.sequence, r.lastToken());
            else complete(r, end);
        }
        return plan;
    }

    private void start(Request r) {
        r.state = Request.State.RUNNING;
        r.cachedTokens = r.sequence.cachedTokens();
        notStarted.decrementAndGet();
        started.incrementAndGet();
        retryAdvice.admitted(clock.millis());
    }

    /**
     * After {@link #step} threw: logs the failure (a repeat only as a count), ends every request in flight with an
     * error, and checks that every block came back and the bookkeeping adds up; if it does not, the scheduler and
     * its block pool are reset. The core serves the next request as if new. Never throws.
     */
    void recover(Throwable failure) {
        errors.error("engine step failed; failing every request in flight", failure);
        try {
            for (Request r : List.copyOf(live.values())) fail(r, internal());
            List<String> problems = inconsistencies();
            if (problems.isEmpty()) return;
            LOG.error("engine bookkeeping inconsistent after a failure, resetting the scheduler: {}", problems);
        } catch (RuntimeException e) {
            LOG.error("ending the requests in flight failed, resetting the scheduler", e);
        }
        scheduler.reset(); // every sequence FINISHED: ending what is left no longer asks anything of the scheduler
        for (Request r : List.copyOf(live.values())) fail(r, internal());
    }

    /** Ends everything in flight as cancelled (shutdown). */
    void cancelAll() {
        for (Request r : List.copyOf(live.values())) complete(r, FinishReason.CANCELLED);
    }

    /**
     * The invariants that hold between steps, as a list of what is broken (empty when all hold): the scheduler holds
     * exactly the sequences of the requests in flight, each in the state its request is in; its slots and the
     * block pool add up (every block referenced by a running sequence, or free, cached or not).
     */
    List<String> inconsistencies() {
        List<String> problems = new ArrayList<>(scheduler.inconsistencies());
        if (scheduler.running() + scheduler.waiting() != live.size()) {
            problems.add(scheduler.running() + " running and " + scheduler.waiting() + " waiting sequences for "
                    + live.size() + " requests in flight");
        }
        int waiting = 0;
        for (Request r : live.values()) {
            Sequence.State s = r.sequence.state();
            boolean matches = switch (r.state) {
                case WAITING -> s == Sequence.State.WAITING;
                case RUNNING -> s == Sequence.State.RUNNING || s == Sequence.State.WAITING; // preempted
                case QUEUED, ENDED -> false;
            };
            if (!matches) problems.add(r + " is " + r.state + " with " + r.sequence);
            if (r.state == Request.State.WAITING) waiting++;
        }
        if (waiting > notStarted.get()) problems.add(waiting + " requests waiting, " + notStarted.get() + " counted");
        if (live.size() - waiting != started.get()) {
            problems.add((live.size() - waiting) + " requests running, " + started.get() + " counted");
        }
        return problems;
    }

    ServiceStats stats() {
        BlockManager blocks = scheduler.blocks();
        BlockPool window = blocks.windowGroup();
        return new ServiceStats(scheduler.waiting(), scheduler.running(), blocks.usedBlocks(), blocks.totalBlocks(),
                window == null ? 0 : window.usedBlocks(), window == null ? 0 : window.totalBlocks(),
                blocks.prefixQueryTokens(), blocks.prefixHitTokens(), scheduler.preemptions(), cancellations);
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
            LOG.warn("listener of {} failed on completion", r, e);
        }
    }

    private void fail(Request r, InferenceException error) {
        if (!end(r)) return;
        try {
            r.fail(error);
        } catch (RuntimeException e) {
            LOG.warn("listener of {} failed on error", r, e);
        }
    }

    /** Takes a request out of the core, sequence and all; false if it had already ended. */
    private boolean end(Request r) {
        if (r.state == Request.State.ENDED) return false;
        if (r.sequence != null) scheduler.finish(r.sequence);
        leave(r);
        return true;
    }

    private void leave(Request r) {
        switch (r.state) {
            case QUEUED, WAITING -> notStarted.decrementAndGet();
            case RUNNING -> started.decrementAndGet();
            case ENDED -> throw new IllegalStateException(r + " ended twice");
        }
        if (r.sequence != null) live.remove(r.sequence);
        r.state = Request.State.ENDED;
    }
}
