package dev.junction.gateway.usage;

import dev.junction.gateway.db.Database;
import org.jdbi.v3.core.Handle;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Records to meter and what they must add up to, computed here independently of the SQL. */
final class UsageTestData {
    static final Optional<String> ORG_A = Optional.of("org_aaaaaaaaaaaaaaaaa");
    static final Optional<String> ORG_B = Optional.of("org_bbbbbbbbbbbbbbbbb");
    static final String KEY_A1 = "key_a1a1a1a1a1a1a1a1a";
    static final String KEY_A2 = "key_a2a2a2a2a2a2a2a2a";
    static final String KEY_B = "key_bbbbbbbbbbbbbbbbb";
    static final String KEY_INSTANCE = "key_instance";
    /** Writes only when told (flush, close). */
    static final LedgerSettings MANUAL = LedgerSettings.DEFAULTS.withFlushInterval(Duration.ofHours(1));

    private UsageTestData() {
    }

    static UsageRecord record(Instant at, Optional<String> org, String key, String model, String supplier,
                              long prompt, long completion, long cached, Outcome outcome, long price) {
        return new UsageRecord(at, org, key, Optional.of("user_uuuuuuuuuuuuuuuuu").filter(u -> org.isPresent()),
                model, supplier, prompt, completion, cached,
                outcome == Outcome.REJECTED ? OptionalLong.empty() : OptionalLong.of(120), 900, outcome, price);
    }

    /** {@code n} varied records from {@code from} on, spread over {@code days} days, of all organizations. */
    static List<UsageRecord> mixed(Instant from, int days, int n, long seed) {
        Random random = new Random(seed);
        List<Optional<String>> orgs = List.of(ORG_A, ORG_A, ORG_B, Optional.empty());
        List<String> keys = List.of(KEY_A1, KEY_A2, KEY_B, KEY_INSTANCE);
        List<String> models = List.of("llama-3-8b", "qwen-coder", "gpt-4o");
        List<String> suppliers = List.of("local", "openai", "");
        List<UsageRecord> out = new ArrayList<>();
        long span = Duration.ofDays(days).toMillis();
        for (int i = 0; i < n; i++) {
            int who = random.nextInt(orgs.size());
            Outcome outcome = Outcome.values()[random.nextInt(Outcome.values().length)];
            long prompt = random.nextInt(5_000);
            out.add(record(from.plusMillis(Math.floorMod(random.nextLong(), span)), orgs.get(who), keys.get(who),
                    models.get(random.nextInt(models.size())), suppliers.get(random.nextInt(suppliers.size())),
                    prompt, outcome == Outcome.REJECTED ? 0 : random.nextInt(2_000), prompt / 3, outcome,
                    random.nextInt(1_000_000)));
        }
        return out;
    }

    static UsageTotals totalsOf(List<UsageRecord> records) {
        return records.stream().map(r -> new UsageTotals(1, r.promptTokens(), r.completionTokens(), r.cachedTokens(),
                r.priceMicros())).reduce(UsageTotals.ZERO, UsageTotals::plus);
    }

    /** The report {@code q} must give over {@code records} (rolled-up days aside: exact to the millisecond). */
    static UsageReport expected(List<UsageRecord> records, UsageQuery q) {
        Predicate<UsageRecord> in = r -> !r.at().isBefore(q.since()) && r.at().isBefore(q.until())
                && (q.organizationId().isEmpty() || r.organizationId().equals(q.organizationId()))
                && (q.keyId().isEmpty() || r.keyId().equals(q.keyId().get()));
        Function<UsageRecord, String> group = switch (q.groupBy()) {
            case DAY -> r -> r.at().atZone(ZoneOffset.UTC).toLocalDate().toString();
            case MODEL -> UsageRecord::model;
            case KEY -> UsageRecord::keyId;
            case SUPPLIER -> UsageRecord::supplier;
        };
        Map<String, List<UsageRecord>> groups = new TreeMap<>();
        records.stream().filter(in).forEach(r -> groups.computeIfAbsent(group.apply(r), g -> new ArrayList<>()).add(r));
        List<UsageRow> rows = groups.entrySet().stream()
                .map(e -> new UsageRow(e.getKey(), totalsOf(e.getValue()))).toList();
        return new UsageReport(rows, rows.stream().map(UsageRow::totals).reduce(UsageTotals.ZERO, UsageTotals::plus));
    }

    /** Every grouping, all organizations and each one, over {@code [since, until)}. */
    static List<UsageQuery> queries(Instant since, Instant until) {
        List<UsageQuery> out = new ArrayList<>();
        for (Optional<String> org : List.of(Optional.<String>empty(), ORG_A, ORG_B)) {
            for (GroupBy g : GroupBy.values()) out.add(new UsageQuery(org, Optional.empty(), since, until, g));
        }
        out.add(new UsageQuery(ORG_A, Optional.of(KEY_A2), since, until, GroupBy.MODEL));
        return out;
    }

    static void assertReportsMatch(Ledger ledger, List<UsageRecord> records, Instant since, Instant until) {
        for (UsageQuery q : queries(since, until)) {
            assertThat(ledger.report(q)).as("%s", q).isEqualTo(expected(records, q));
        }
    }

    static long rawRows(Database db) {
        return db.withHandle((Handle h) -> h.createQuery("SELECT COUNT(*) FROM usage_records").mapTo(Long.class).one());
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(20);
        }
    }
}
