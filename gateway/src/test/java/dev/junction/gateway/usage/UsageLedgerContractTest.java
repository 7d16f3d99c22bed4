package dev.junction.gateway.usage;

import dev.junction.gateway.TestDatabase;
import dev.junction.gateway.db.Database;
import dev.junction.gateway.db.DatabaseUrl;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.junction.gateway.usage.UsageTestData.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ledger on SQLite and on a real PostgreSQL: exact sums, batching off the request path, retries, isolation. */
class UsageLedgerContractTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void recordsAddUpExactlyPerGroupAndInTotals(TestDatabase kind) {
        try (Database db = kind.open(dir); Ledger ledger = new Ledger(db, new MutableClock(T0), MANUAL)) {
            List<UsageRecord> records = mixed(T0.minus(Duration.ofDays(3)), 4, 1_200, 1);
            records.forEach(ledger::record);
            ledger.flush();

            assertThat(records).extracting(UsageRecord::outcome).contains(Outcome.values());
            Instant since = T0.minus(Duration.ofDays(10));
            Instant until = T0.plus(Duration.ofDays(2));
            assertReportsMatch(ledger, records, since, until);
            assertThat(db.withHandle((Handle h) -> ledger.totals(h, Optional.empty(), Optional.empty(), since, until)))
                    .isEqualTo(totalsOf(records));
            Instant mid = T0.minus(Duration.ofHours(30));
            assertReportsMatch(ledger, records, mid, T0); // raw rows count to the millisecond
            assertThat(db.withHandle((Handle h) -> ledger.totals(h, ORG_A, Optional.of(KEY_A1), mid, T0)))
                    .isEqualTo(totalsOf(records.stream().filter(r -> r.keyId().equals(KEY_A1)
                            && !r.at().isBefore(mid) && r.at().isBefore(T0)).toList()));
            assertThat(ledger.report(new UsageQuery(Optional.empty(), Optional.empty(), since, until, GroupBy.SUPPLIER))
                    .rows()).extracting(UsageRow::group).containsExactly("", "local", "openai");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void cancelledAndFailedRequestsCountWhatTheClientWasTold(TestDatabase kind) {
        try (Database db = kind.open(dir); Ledger ledger = new Ledger(db, new MutableClock(T0), MANUAL)) {
            ledger.record(record(T0, ORG_A, KEY_A1, "m", "local", 100, 40, 0, Outcome.OK, 1_000));
            ledger.record(record(T0, ORG_A, KEY_A1, "m", "local", 100, 7, 20, Outcome.CANCELLED, 300));
            ledger.record(record(T0, ORG_A, KEY_A1, "m", "local", 100, 3, 0, Outcome.FAILED, 200));
            ledger.record(record(T0, ORG_A, KEY_A1, "m", "", 0, 0, 0, Outcome.REJECTED, 0));
            ledger.flush();
            UsageReport report = ledger.report(new UsageQuery(ORG_A, Optional.empty(), T0, T0.plusMillis(1),
                    GroupBy.KEY));
            assertThat(report.rows()).containsExactly(new UsageRow(KEY_A1, new UsageTotals(4, 300, 50, 20, 1_500)));
            assertThat(report.totals()).isEqualTo(new UsageTotals(4, 300, 50, 20, 1_500));
            assertThat(db.withHandle((Handle h) -> h.createQuery("SELECT outcome FROM usage_records ORDER BY outcome")
                    .mapTo(Integer.class).list())).containsExactly(1, 2, 3, 4);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void nothingIsWrittenBeforeFlushOrIntervalAndEverythingByClose(TestDatabase kind) throws Exception {
        try (Database db = kind.open(dir)) {
            Ledger ledger = new Ledger(db, new MutableClock(T0), MANUAL);
            List<UsageRecord> records = mixed(T0, 1, 30, 2);
            records.subList(0, 10).forEach(ledger::record);
            Thread.sleep(300);
            assertThat(rawRows(db)).as("not written on the request path").isZero();
            assertThat(ledger.pending()).isEqualTo(10);
            ledger.flush();
            assertThat(rawRows(db)).isEqualTo(10);
            assertThat(ledger.pending()).isZero();
            records.subList(10, 30).forEach(ledger::record);
            ledger.close();
            assertThat(rawRows(db)).as("close flushes").isEqualTo(30);
            ledger.record(records.getFirst());
            assertThat(ledger.dropped()).as("a record after close is dropped, counted").isEqualTo(1);
            assertThat(ledger.report(new UsageQuery(Optional.empty(), Optional.empty(), T0, T0.plus(Duration.ofDays(1)),
                    GroupBy.DAY)).totals()).isEqualTo(totalsOf(records));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void theWriterThreadWritesAFullBatchAtOnceAndTheRestEveryInterval(TestDatabase kind) throws Exception {
        try (Database db = kind.open(dir)) {
            try (Ledger ledger = new Ledger(db, new MutableClock(T0), MANUAL.withBatchSize(4))) {
                List<UsageRecord> records = mixed(T0, 1, 4, 3);
                records.subList(0, 3).forEach(ledger::record);
                Thread.sleep(300);
                assertThat(rawRows(db)).as("three wait for the interval").isZero();
                ledger.record(records.get(3));
                await("a full batch is written at once", () -> rawRows(db) == 4);
                assertThat(ledger.pending()).isZero();
            }
            try (Ledger ledger = new Ledger(db, new MutableClock(T0),
                    LedgerSettings.DEFAULTS.withFlushInterval(Duration.ofMillis(50)))) {
                ledger.record(record(T0, ORG_B, KEY_B, "m", "local", 1, 1, 0, Outcome.OK, 1));
                await("the interval writes a lone record", () -> rawRows(db) == 5);
                assertThat(ledger.pending()).isZero();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aFailedWriteStaysQueuedAndIsRetried(TestDatabase kind) throws Exception {
        try (Database db = kind.open(dir);
             Ledger manual = new Ledger(db, new MutableClock(T0), MANUAL);
             Ledger timed = new Ledger(db, new MutableClock(T0), MANUAL.withFlushInterval(Duration.ofMillis(50)))) {
            List<UsageRecord> records = mixed(T0, 1, 20, 4);
            records.subList(0, 10).forEach(manual::record);
            manual.flush(); // the labels exist now: only the raw insert can fail below
            List<UsageRecord> more = mixed(T0, 1, 20, 5);
            renameRaw(db, "usage_records", "usage_records_away");
            try {
                more.subList(0, 10).forEach(manual::record);
                assertThatThrownBy(manual::flush).as("the database refuses the batch").isInstanceOf(RuntimeException.class);
                assertThat(manual.pending()).as("the failed batch stays queued").isEqualTo(10);
                more.subList(10, 20).forEach(timed::record);
                Thread.sleep(300);
                assertThat(timed.pending()).as("the writer thread keeps them while it fails").isEqualTo(10);
            } finally {
                renameRaw(db, "usage_records_away", "usage_records");
            }
            await("the writer thread retries", () -> timed.pending() == 0);
            manual.flush();
            assertThat(manual.pending()).isZero();
            assertThat(rawRows(db)).isEqualTo(30);
            List<UsageRecord> all = new ArrayList<>(records.subList(0, 10));
            all.addAll(more);
            assertReportsMatch(manual, all, T0.minus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aFullQueueDropsTheOldestAndCountsThem(TestDatabase kind) {
        try (Database db = kind.open(dir); Ledger ledger = new Ledger(db, new MutableClock(T0),
                MANUAL.withQueueCapacity(3))) {
            for (int i = 1; i <= 5; i++) ledger.record(record(T0, ORG_A, KEY_A1, "m", "s", i, 0, 0, Outcome.OK, 0));
            assertThat(ledger.dropped()).isEqualTo(2);
            assertThat(ledger.pending()).isEqualTo(3);
            ledger.flush();
            assertThat(db.withHandle((Handle h) -> h.createQuery("SELECT prompt_tokens FROM usage_records "
                    + "ORDER BY prompt_tokens").mapTo(Long.class).list())).containsExactly(3L, 4L, 5L);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aReportForOneOrganizationNeverIncludesAnother(TestDatabase kind) {
        try (Database db = kind.open(dir); Ledger ledger = new Ledger(db, new MutableClock(T0), MANUAL)) {
            List<UsageRecord> records = mixed(T0.minus(Duration.ofDays(2)), 3, 400, 6);
            records.forEach(ledger::record);
            ledger.flush();
            Instant since = T0.minus(Duration.ofDays(5));
            Instant until = T0.plus(Duration.ofDays(5));
            UsageReport a = ledger.report(new UsageQuery(ORG_A, Optional.empty(), since, until, GroupBy.KEY));
            assertThat(a.rows()).extracting(UsageRow::group).containsExactly(KEY_A1, KEY_A2);
            UsageReport b = ledger.report(new UsageQuery(ORG_B, Optional.empty(), since, until, GroupBy.KEY));
            assertThat(b.rows()).extracting(UsageRow::group).containsExactly(KEY_B);
            assertThat(ledger.report(new UsageQuery(ORG_A, Optional.of(KEY_B), since, until, GroupBy.KEY)).rows())
                    .as("another organization's key under A's id").isEmpty();
            assertThat(ledger.report(new UsageQuery(Optional.of("org_unknown"), Optional.empty(), since, until,
                    GroupBy.DAY)).totals()).isEqualTo(UsageTotals.ZERO);
            UsageReport all = ledger.report(new UsageQuery(Optional.empty(), Optional.empty(), since, until,
                    GroupBy.KEY));
            assertThat(all.rows()).extracting(UsageRow::group).containsExactly(KEY_A1, KEY_A2, KEY_B, KEY_INSTANCE);
            assertThat(all.totals()).isEqualTo(totalsOf(records));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void labelsAddedByTwoNodesAtOnceGetOneIdEach(TestDatabase kind) throws Exception {
        DatabaseUrl url = kind.url(dir);
        try (Database one = Database.open(url); Database two = Database.open(url);
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            Map<String, Integer> seen = new ConcurrentHashMap<>();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Labels labels = new Labels(t % 2 == 0 ? one : two);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        String name = "model-" + i;
                        int id = labels.id(name);
                        Integer before = seen.putIfAbsent(name, id);
                        assertThat(before == null ? id : before).as(name).isEqualTo(id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            assertThat(new HashSet<>(seen.values())).hasSize(40).doesNotContain(Labels.NONE);
            assertThat(one.withHandle((Handle h) -> h.createQuery("SELECT COUNT(*) FROM usage_labels")
                    .mapTo(Long.class).one())).isEqualTo(40);
        }
    }

    @Test
    void groupByIsParsedFromItsWireNameAndRecordsAreValidated() {
        assertThat(GroupBy.parse("day")).isEqualTo(GroupBy.DAY);
        assertThat(GroupBy.parse("supplier")).isEqualTo(GroupBy.SUPPLIER);
        assertThatThrownBy(() -> GroupBy.parse("month")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group_by").hasMessageContaining("day, model, key, supplier");
        assertThatThrownBy(() -> record(T0, ORG_A, KEY_A1, "m", "", -1, 0, 0, Outcome.OK, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("promptTokens");
        assertThatThrownBy(() -> record(T0, ORG_A, KEY_A1, "m", "", 0, 0, 0, Outcome.OK, -5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("priceMicros");
        assertThatThrownBy(() -> new UsageRecord(T0, ORG_A, KEY_A1, Optional.empty(), "m", "", 0, 0, 0,
                OptionalLong.of(-1), 0, Outcome.OK, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UsageQuery(Optional.empty(), Optional.empty(), T0, T0.minusMillis(1),
                GroupBy.DAY)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Outcome.fromCode(Outcome.CANCELLED.code())).isEqualTo(Outcome.CANCELLED);
    }

    /** Not an assertion: the figure the ledger's note quotes for the size of a raw record. */
    @Test
    void measureTheRawRowSizeOnPostgres() {
        try (Database db = TestDatabase.POSTGRESQL.open(dir);
             Ledger ledger = new Ledger(db, new MutableClock(T0), MANUAL.withBatchSize(1_000))) {
            mixed(T0, 1, 20_000, 7).forEach(ledger::record);
            ledger.flush();
            db.useTransaction(h -> h.execute("ANALYZE usage_records"));
            String sizes = db.withHandle((Handle h) -> h.createQuery("SELECT AVG(pg_column_size(r.*))::int || ' B per "
                            + "row as a tuple, ' || (pg_relation_size('usage_records') / COUNT(*)) || ' B per row in "
                            + "the heap, ' || (pg_total_relation_size('usage_records') / COUNT(*)) || ' B per row with "
                            + "its indexes' FROM usage_records r").mapTo(String.class).one());
            System.out.println("usage_records on PostgreSQL, 20000 rows: " + sizes);
            assertThat(rawRows(db)).isEqualTo(20_000);
        }
    }

    private static void renameRaw(Database db, String from, String to) {
        db.useTransaction(h -> h.execute("ALTER TABLE " + from + " RENAME TO " + to));
    }
}
