package dev.junction.gateway.usage;

import dev.junction.gateway.db.Database;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The usage ledger of one node. {@link #record} only queues (it never waits for the database); one background
 * writer thread writes the queue in batches, every {@link LedgerSettings#flushInterval()} or as soon as
 * {@link LedgerSettings#batchSize()} records wait, each batch one transaction. While the database cannot be written
 * the records stay queued and are retried (one warning per outage); beyond {@link LedgerSettings#queueCapacity()}
 * the oldest are dropped and counted. {@link #close()} writes what is left.
 *
 * <p>Reads: {@link #report} and {@link #totals} add up raw records and daily totals without counting anything
 * twice; {@link #rollUp} folds whole past days into daily totals and applies the retention.
 *
 * <p>A batch whose commit succeeded but whose acknowledgement was lost (the connection broke at that moment) is
 * written again on retry: the only way a record can count twice.
 */
public final class Ledger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);

    /** Whether the ledger still takes records. */
    private enum Lifecycle { OPEN, CLOSED }

    /** Whether the last write failed: warnings are logged on the change, not per retry. */
    private enum Health { WRITING, FAILING }

    /** Whether records are being dropped for want of room: one warning per overflow, not per record. */
    private enum Room { ENOUGH, OVERFLOWING }

    private final Database db;
    private final Clock clock;
    private final LedgerSettings settings;
    private final BatchWriter writer;
    private final Rollup rollup;
    private final UsageReports reports = new UsageReports();

    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition wake = queueLock.newCondition();
    private final ArrayDeque<UsageRecord> queue = new ArrayDeque<>();
    private int inFlight;
    private long dropped;
    private Lifecycle lifecycle = Lifecycle.OPEN;
    private Room room = Room.ENOUGH;

    /** Held by whoever writes batches (the writer thread or {@link #flush}), so flush waits for a batch in flight. */
    private final ReentrantLock writing = new ReentrantLock();
    private volatile Health health = Health.WRITING;

    private final Thread thread;

    public Ledger(Database db, Clock clock, LedgerSettings settings) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        Labels labels = new Labels(db);
        this.writer = new BatchWriter(db, labels);
        this.rollup = new Rollup(db);
        this.thread = new Thread(this::runWriter, "junction-usage-ledger");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code r} to be written; never waits for the database. When the queue is full the oldest is dropped. */
    public void record(UsageRecord r) {
        Objects.requireNonNull(r, "r");
        queueLock.lock();
        try {
            if (lifecycle == Lifecycle.CLOSED) {
                dropped++;
                LOG.warn("usage record after the ledger closed: dropped");
                return;
            }
            if (queue.size() >= settings.queueCapacity()) dropOldest(queue.size() + 1 - settings.queueCapacity());
            queue.addLast(r);
            if (queue.size() >= settings.batchSize()) wake.signal();
        } finally {
            queueLock.unlock();
        }
    }

    /**
     * Writes every record queued so far before returning (waiting for a batch the writer thread has in flight).
     * When the database cannot be written it throws the database's exception and the records stay queued.
     */
    public void flush() {
        writing.lock();
        try {
            writeQueued();
        } finally {
            writing.unlock();
        }
    }

    /** Records queued or being written, not yet committed. */
    public long pending() {
        queueLock.lock();
        try {
            return queue.size() + inFlight;
        } finally {
            queueLock.unlock();
        }
    }

    /** Records dropped since start because the queue was full (or the ledger closed). */
    public long dropped() {
        queueLock.lock();
        try {
            return dropped;
        } finally {
            queueLock.unlock();
        }
    }

    /** The usage {@code q} asks for, read through {@code h} (one statement, so one consistent snapshot). */
    public UsageReport report(Handle h, UsageQuery q) {
        return reports.report(h, Objects.requireNonNull(q, "q"));
    }

    public UsageReport report(UsageQuery q) {
        return db.withHandle(h -> report(h, q));
    }

    /** The usage of an organization (empty: all) and key (empty: all) in {@code [since, until)}, as {@link UsageQuery}. */
    public UsageTotals totals(Handle h, Optional<String> organizationId, Optional<String> keyId, Instant since,
                              Instant until) {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        return reports.totals(h, Objects.requireNonNull(organizationId, "organizationId"),
                Objects.requireNonNull(keyId, "keyId"), since, until);
    }

    /**
     * Rolls up every whole UTC day before {@code now}'s day that is not yet rolled up (one transaction per day), then
     * deletes raw records older than {@code now - retention} whose day is rolled up. Idempotent; several nodes may
     * run it at once.
     */
    public RollupResult rollUp(Instant now) {
        return rollup.run(Objects.requireNonNull(now, "now"), settings.retention());
    }

    /** {@link #rollUp(Instant)} at the ledger clock's now. */
    public RollupResult rollUp() {
        return rollUp(clock.instant());
    }

    /**
     * Stops taking records, stops the writer thread and writes what is queued. If that last write fails it logs how
     * many records were lost and throws the database's exception.
     */
    @Override
    public void close() {
        queueLock.lock();
        try {
            if (lifecycle == Lifecycle.CLOSED) return;
            lifecycle = Lifecycle.CLOSED;
            wake.signal();
        } finally {
            queueLock.unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.error("{} usage record(s) could not be written at shutdown and are lost", pending());
            throw e;
        }
    }

    private void runWriter() {
        while (awaitWork()) {
            writing.lock();
            try {
                writeQueued();
            } catch (RuntimeException e) {
                // reported by writeQueued; the records stay queued and are retried after the next interval
            } finally {
                writing.unlock();
            }
        }
    }

    /** Waits for a full batch (after a failure: for the whole interval) or the interval; false when closed. */
    private boolean awaitWork() {
        queueLock.lock();
        try {
            long left = settings.flushInterval().toNanos();
            while (lifecycle == Lifecycle.OPEN && left > 0
                    && (health == Health.FAILING || queue.size() < settings.batchSize())) {
                left = wake.awaitNanos(left);
            }
            return lifecycle == Lifecycle.OPEN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            queueLock.unlock();
        }
    }

    /** Writes batches until the queue is empty; on failure puts the batch back at the head and throws. */
    private void writeQueued() {
        while (true) {
            List<UsageRecord> batch = takeBatch();
            if (batch.isEmpty()) return;
            try {
                writer.write(batch);
            } catch (RuntimeException e) {
                putBack(batch);
                if (health == Health.WRITING) {
                    health = Health.FAILING;
                    LOG.warn("usage records cannot be written ({}); {} queued, retrying every {}",
                            rootCause(e), pending(), settings.flushInterval());
                }
                throw e;
            }
            written(batch.size());
            if (health == Health.FAILING) {
                health = Health.WRITING;
                LOG.info("usage records are written again");
            }
        }
    }

    private List<UsageRecord> takeBatch() {
        queueLock.lock();
        try {
            int n = Math.min(settings.batchSize(), queue.size());
            List<UsageRecord> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) batch.add(queue.pollFirst());
            inFlight = n;
            return batch;
        } finally {
            queueLock.unlock();
        }
    }

    private void written(int n) {
        queueLock.lock();
        try {
            inFlight -= n;
            if (queue.size() < settings.queueCapacity()) room = Room.ENOUGH;
        } finally {
            queueLock.unlock();
        }
    }

    private void putBack(List<UsageRecord> batch) {
        queueLock.lock();
        try {
            for (int i = batch.size() - 1; i >= 0; i--) queue.addFirst(batch.get(i));
            inFlight = 0;
            if (queue.size() > settings.queueCapacity()) dropOldest(queue.size() - settings.queueCapacity());
        } finally {
            queueLock.unlock();
        }
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** Drops the {@code n} oldest queued records; the caller holds {@link #queueLock}. */
    private void dropOldest(int n) {
        for (int i = 0; i < n; i++) queue.pollFirst();
        dropped += n;
        if (room == Room.ENOUGH) {
            room = Room.OVERFLOWING;
            LOG.warn("usage queue full ({} records): dropping the oldest, {} dropped so far",
                    settings.queueCapacity(), dropped);
        }
    }
}
