package dev.junction.gateway.limit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Settles reservations off the request path: a request's settlement is queued when it ends, and one writer thread
 * applies what is queued within 20 ms of the first in one transaction ({@link Limiter#settleAll}), so the answer's last byte does not wait
 * for the database and many settlements share one lock of each hot counter row. A settlement waits at most one
 * transaction; {@link #flush} waits for all queued so far (admission does, before refusing for concurrency, so a
 * client that sends its next request the moment the last one ended is not refused by its own finished request).
 * While the database is unreachable settlements stay queued and are retried; a node that dies with some queued
 * loses them, and their reservations run out of lease like any dead node's.
 */
public final class Settlements implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Settlements.class);
    private static final int MAX_BATCH = 500;
    /**
     * How long the writer gathers settlements after the first before it writes them: each write locks the hot
     * counter rows that admissions wait for, so at low concurrency one write per request would put a settlement in
     * front of every next admission.
     */
    private static final long LINGER_NANOS = Duration.ofMillis(20).toNanos();
    private static final Duration RETRY = Duration.ofMillis(200);

    private final Limiter limiter;
    private final LinkedBlockingQueue<Limiter.Settlement> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private long submitted;
    private long applied;
    private volatile boolean closing;
    private boolean hurry; // a flush is waiting: write what is queued without lingering

    public Settlements(Limiter limiter) {
        this.limiter = limiter;
        this.writer = Thread.ofPlatform().daemon().name("junction-settlements").start(this::run);
    }

    /** Queues a settlement (never blocks on the database). */
    public void submit(Reservation r, long tokens, long spendMicros) {
        if (r.isNone()) return;
        synchronized (this) {
            submitted++;
        }
        queue.add(new Limiter.Settlement(r, tokens, spendMicros));
    }

    /**
     * Waits until every settlement submitted before this call is applied, for at most {@code timeout}; false when
     * the time ran out first.
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            long target = submitted;
            hurry = true;
            notifyAll();
            while (applied < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    private void run() {
        List<Limiter.Settlement> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Limiter.Settlement first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    batch.add(first);
                    linger();
                    queue.drainTo(batch, MAX_BATCH - 1);
                }
                limiter.settleAll(batch);
                synchronized (this) {
                    applied += batch.size();
                    if (applied == submitted) hurry = false;
                    notifyAll();
                }
                batch.clear();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closing) {
                    log.warn("{} settlements could not be written before shutdown; their reservations will run out "
                            + "of lease: {}", batch.size(), e.toString());
                    return;
                }
                log.warn("Settling {} reservations failed; retrying: {}", batch.size(), e.toString());
                try {
                    Thread.sleep(RETRY);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Waits up to the linger time for more settlements to arrive, unless a flush or the close is waiting. */
    private synchronized void linger() throws InterruptedException {
        long deadline = System.nanoTime() + LINGER_NANOS;
        for (long left = LINGER_NANOS; left > 0 && !hurry && !closing && queue.size() < MAX_BATCH;
             left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Applies what is queued, then stops the writer. */
    @Override
    public void close() {
        closing = true;
        synchronized (this) {
            notifyAll();
        }
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
    }
}
