package dev.junction.gateway.usage;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link Ledger} batches and keeps records: it writes every {@code flushInterval} or as soon as
 * {@code batchSize} records wait, holds at most {@code queueCapacity} unwritten records in memory (dropping the
 * oldest beyond), and keeps raw records {@code retention} long once their day is rolled up.
 */
public record LedgerSettings(Duration flushInterval, int batchSize, int queueCapacity, Duration retention) {
    /** Every second or per 500, up to 100 000 queued, raw records kept 90 days. */
    public static final LedgerSettings DEFAULTS =
            new LedgerSettings(Duration.ofSeconds(1), 500, 100_000, Duration.ofDays(90));

    public LedgerSettings {
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(retention, "retention");
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("flushInterval must be positive: " + flushInterval);
        }
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
        if (retention.isNegative()) throw new IllegalArgumentException("retention must not be negative: " + retention);
    }

    public LedgerSettings withFlushInterval(Duration flushInterval) {
        return new LedgerSettings(flushInterval, batchSize, queueCapacity, retention);
    }

    public LedgerSettings withBatchSize(int batchSize) {
        return new LedgerSettings(flushInterval, batchSize, queueCapacity, retention);
    }

    public LedgerSettings withQueueCapacity(int queueCapacity) {
        return new LedgerSettings(flushInterval, batchSize, queueCapacity, retention);
    }

    public LedgerSettings withRetention(Duration retention) {
        return new LedgerSettings(flushInterval, batchSize, queueCapacity, retention);
    }
}
