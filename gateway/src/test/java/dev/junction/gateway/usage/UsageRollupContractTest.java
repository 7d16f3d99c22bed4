package dev.junction.gateway.usage;

import dev.junction.gateway.TestDatabase;
import dev.junction.gateway.db.Database;
import dev.junction.gateway.db.DatabaseUrl;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.junction.gateway.usage.UsageTestData.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Daily rollup and retention on SQLite and on a real PostgreSQL: reports stay exact through them. */
class UsageRollupContractTest {
    private static final Instant T0 = Instant.parse("2026-12-10T10:00:00Z");
    private static final LocalDate TODAY = LocalDate.of(2026, 12, 10);
    private static final Instant WIDE_SINCE = T0.minus(Duration.ofDays(30));
    private static final Instant WIDE_UNTIL = T0.plus(Duration.ofDays(1));

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void reportsAreEqualBeforeAndAfterRollupAndRetentionKeepsTheDailyTotals(TestDatabase kind) {
        MutableClock clock = new MutableClock(T0);
        try (Database db = kind.open(dir); Ledger ledger = new Ledger(db, clock, MANUAL)) {
            List<UsageRecord> records = new ArrayList<>(mixed(T0.minus(Duration.ofDays(6)), 6, 1_500, 11));
            records.forEach(ledger::record);
            ledger.flush();
            assertReportsMatch(ledger, records, WIDE_SINCE, WIDE_UNTIL);

            RollupResult first = ledger.rollUp();
            assertThat(first.rolledDays()).containsExactly(TODAY.minusDays(6), TODAY.minusDays(5), TODAY.minusDays(4),
                    TODAY.minusDays(3), TODAY.minusDays(2), TODAY.minusDays(1));
            assertThat(first.deletedRows()).as("within the retention").isZero();
            assertReportsMatch(ledger, records, WIDE_SINCE, WIDE_UNTIL);
            assertReportsMatch(ledger, records, start(TODAY.minusDays(4)), start(TODAY.minusDays(1)));
            assertReportsMatch(ledger, records, start(TODAY.minusDays(2)), T0.minus(Duration.ofHours(3)));

            assertThat(ledger.rollUp()).as("idempotent").isEqualTo(new RollupResult(List.of(), 0));
            assertReportsMatch(ledger, records, WIDE_SINCE, WIDE_UNTIL);

            long raw = rawRows(db);
            List<UsageRecord> late = List.of(
                    record(T0.minus(Duration.ofDays(3)), ORG_A, KEY_A1, "llama-3-8b", "local", 10, 5, 1, Outcome.OK, 7),
                    record(T0.minus(Duration.ofDays(3)), ORG_A, KEY_A1, "llama-3-8b", "local", 20, 5, 0,
                            Outcome.CANCELLED, 9),
                    record(T0.minus(Duration.ofDays(5)), ORG_B, KEY_B, "new-model", "openai", 3, 4, 0, Outcome.FAILED, 2));
            late.forEach(ledger::record);
            ledger.flush();
            records.addAll(late);
            assertThat(rawRows(db)).as("late records for rolled days go to the daily totals").isEqualTo(raw);
            assertReportsMatch(ledger, records, WIDE_SINCE, WIDE_UNTIL);

            Instant cutoff = T0.minus(Duration.ofDays(2));
            try (Ledger shortLived = new Ledger(db, clock, MANUAL.withRetention(Duration.ofDays(2)))) {
                RollupResult retained = shortLived.rollUp();
                assertThat(retained.rolledDays()).isEmpty();
                assertThat(retained.deletedRows()).isEqualTo(raw - rawRows(db)).isPositive();
                assertThat(rawRows(db)).isEqualTo(records.stream().filter(r -> !late.contains(r)
                        && !r.at().isBefore(cutoff)).count());
                assertThat(shortLived.rollUp().deletedRows()).isZero();
            }
            assertThat(db.withHandle((Handle h) -> h.createQuery("SELECT MIN(at) FROM usage_records")
                    .mapTo(Long.class).one())).isGreaterThanOrEqualTo(cutoff.toEpochMilli());
            assertReportsMatch(ledger, records, WIDE_SINCE, WIDE_UNTIL);
            assertThat(db.withHandle((Handle h) -> h.createQuery("SELECT SUM(requests) FROM usage_daily")
                    .mapTo(Long.class).one())).as("the daily totals stay")
                    .isEqualTo(records.stream().filter(r -> r.at().isBefore(start(TODAY))).count());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRolledUpDayCountsWholeWhenItsStartLiesInTheRange(TestDatabase kind) {
        try (Database db = kind.open(dir); Ledger ledger = new Ledger(db, new MutableClock(T0), MANUAL)) {
            List<UsageRecord> records = mixed(T0.minus(Duration.ofDays(3)), 3, 300, 12);
            records.forEach(ledger::record);
            ledger.flush();
            ledger.rollUp();
            Instant since = start(TODAY.minusDays(2)).plus(Duration.ofHours(12));
            Instant until = start(TODAY.minusDays(1)).plus(Duration.ofHours(12));
            UsageReport report = ledger.report(new UsageQuery(Optional.empty(), Optional.empty(), since, until,
                    GroupBy.DAY));
            LocalDate yesterday = TODAY.minusDays(1);
            assertThat(report.rows()).containsExactly(new UsageRow(yesterday.toString(), totalsOf(records.stream()
                    .filter(r -> r.at().atZone(ZoneOffset.UTC).toLocalDate().equals(yesterday)).toList())));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void twoNodesRollingUpAtOnceCountEachDayOnce(TestDatabase kind) throws Exception {
        DatabaseUrl url = kind.url(dir);
        MutableClock clock = new MutableClock(T0);
        try (Database one = Database.open(url); Database two = Database.open(url);
             Ledger first = new Ledger(one, clock, MANUAL); Ledger second = new Ledger(two, clock, MANUAL);
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<UsageRecord> records = mixed(T0.minus(Duration.ofDays(10)), 10, 2_000, 13);
            records.forEach(first::record);
            first.flush();
            CountDownLatch go = new CountDownLatch(1);
            Future<RollupResult> a = pool.submit(afterLatch(go, first::rollUp));
            Future<RollupResult> b = pool.submit(afterLatch(go, second::rollUp));
            go.countDown();
            List<LocalDate> rolled = new ArrayList<>(a.get().rolledDays());
            rolled.addAll(b.get().rolledDays());
            assertThat(rolled).as("each day rolled by one node").doesNotHaveDuplicates().hasSize(10);
            assertThat(one.withHandle((Handle h) -> h.createQuery("SELECT SUM(requests) FROM usage_daily")
                    .mapTo(Long.class).one())).isEqualTo(records.stream().filter(r -> r.at().isBefore(start(TODAY)))
                    .count());
            assertReportsMatch(second, records, WIDE_SINCE, WIDE_UNTIL);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void batchesRacingARollupOnAnotherNodeCountEveryRecordOnce(TestDatabase kind) throws Exception {
        DatabaseUrl url = kind.url(dir);
        MutableClock clock = new MutableClock(T0);
        try (Database one = Database.open(url); Database two = Database.open(url);
             Ledger writer = new Ledger(one, clock, MANUAL); Ledger roller = new Ledger(two, clock, MANUAL);
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<UsageRecord> records = mixed(T0.minus(Duration.ofDays(2)), 2, 1_200, 14);
            AtomicBoolean writing = new AtomicBoolean(true);
            Future<?> writes = pool.submit(() -> {
                try {
                    for (int i = 0; i < records.size(); i += 40) {
                        records.subList(i, i + 40).forEach(writer::record);
                        writer.flush();
                    }
                } finally {
                    writing.set(false);
                }
                return null;
            });
            Future<?> rollups = pool.submit(() -> {
                while (writing.get()) roller.rollUp();
                return null;
            });
            writes.get();
            rollups.get();
            roller.rollUp();
            assertReportsMatch(roller, records, WIDE_SINCE, WIDE_UNTIL);
            assertThat(two.withHandle((Handle h) -> roller.totals(h, Optional.empty(), Optional.empty(), WIDE_SINCE,
                    WIDE_UNTIL)))
                    .isEqualTo(totalsOf(records));
        }
    }

    private static Instant start(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static <T> Callable<T> afterLatch(CountDownLatch latch, Callable<T> work) {
        return () -> {
            latch.await();
            return work.call();
        };
    }
}
