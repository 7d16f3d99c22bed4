package dev.junction.gateway.usage;

import dev.junction.gateway.db.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes one batch of usage records in one transaction: one prepared batch insert of raw rows, and, for records
 * whose day was already rolled up (a node that flushed late), an increment of that day's totals instead, so every
 * record counts exactly once.
 */
final class BatchWriter {
    private static final String INSERT_RAW = "INSERT INTO usage_records (at, prompt_tokens, completion_tokens, "
            + "cached_tokens, price_micros, organization_label, key_label, user_label, model_label, supplier_label, "
            + "duration_ms, ttft_ms, outcome) VALUES (:at, :prompt, :completion, :cached, :price, :org, :key, :user, "
            + ":model, :supplier, :duration, :ttft, :outcome)";
    private static final String ADD_TO_DAY = "INSERT INTO usage_daily (day, organization_label, key_label, "
            + "user_label, model_label, supplier_label, requests, prompt_tokens, completion_tokens, cached_tokens, "
            + "spend_micros) VALUES (:day, :org, :key, :user, :model, :supplier, :requests, :prompt, :completion, "
            + ":cached, :spend) ON CONFLICT (day, organization_label, key_label, user_label, model_label, "
            + "supplier_label) DO UPDATE SET requests = usage_daily.requests + excluded.requests, "
            + "prompt_tokens = usage_daily.prompt_tokens + excluded.prompt_tokens, "
            + "completion_tokens = usage_daily.completion_tokens + excluded.completion_tokens, "
            + "cached_tokens = usage_daily.cached_tokens + excluded.cached_tokens, "
            + "spend_micros = usage_daily.spend_micros + excluded.spend_micros";

    /** A record with its texts replaced by label ids. */
    private record Labelled(long day, DayKey key, UsageRecord record) {
    }

    /** The columns a day's totals are kept per; ordered so that concurrent upserts lock rows in one order. */
    record DayKey(long day, int organization, int key, int user, int model, int supplier) {
        static final Comparator<DayKey> ORDER = Comparator.comparingLong(DayKey::day)
                .thenComparingInt(DayKey::organization).thenComparingInt(DayKey::key)
                .thenComparingInt(DayKey::user).thenComparingInt(DayKey::model).thenComparingInt(DayKey::supplier);
    }

    private final Database db;
    private final Labels labels;

    BatchWriter(Database db, Labels labels) {
        this.db = db;
        this.labels = labels;
    }

    /** Writes {@code batch} whole or not at all (then it throws the database's exception). */
    void write(List<UsageRecord> batch) {
        if (batch.isEmpty()) return;
        List<Labelled> rows = new ArrayList<>(batch.size());
        for (UsageRecord r : batch) rows.add(label(r)); // labels are committed first, in their own transactions
        db.useTransaction(h -> {
            RawLock.WRITE.take(h, db.dialect());
            Set<Long> rolled = rolledDays(h, rows);
            PreparedBatch raw = h.prepareBatch(INSERT_RAW);
            Map<DayKey, UsageTotals> late = new TreeMap<>(DayKey.ORDER);
            for (Labelled row : rows) {
                if (rolled.contains(row.day())) {
                    late.merge(row.key(), totals(row.record()), UsageTotals::plus);
                } else {
                    bindRaw(raw, row).add();
                }
            }
            if (raw.size() > 0) raw.execute();
            if (!late.isEmpty()) addToDays(h, late);
        });
    }

    private Labelled label(UsageRecord r) {
        long at = r.at().toEpochMilli();
        long day = UsageDays.of(at);
        DayKey key = new DayKey(day, labels.idOrNone(r.organizationId()), labels.id(r.keyId()),
                labels.idOrNone(r.userId()), labels.id(r.model()), labels.id(r.supplier()));
        return new Labelled(day, key, r);
    }

    private static Set<Long> rolledDays(Handle h, List<Labelled> rows) {
        long first = rows.stream().mapToLong(Labelled::day).min().orElseThrow();
        long last = rows.stream().mapToLong(Labelled::day).max().orElseThrow();
        return new HashSet<>(h.createQuery("SELECT day FROM usage_rolled_days WHERE day >= :first AND day <= :last")
                .bind("first", first).bind("last", last).mapTo(Long.class).list());
    }

    private static PreparedBatch bindRaw(PreparedBatch batch, Labelled row) {
        UsageRecord r = row.record();
        return batch.bind("at", r.at().toEpochMilli()).bind("prompt", r.promptTokens())
                .bind("completion", r.completionTokens()).bind("cached", r.cachedTokens())
                .bind("price", r.priceMicros()).bind("org", row.key().organization()).bind("key", row.key().key())
                .bind("user", row.key().user()).bind("model", row.key().model())
                .bind("supplier", row.key().supplier()).bind("duration", (int) r.durationMillis())
                .bind("ttft", r.timeToFirstTokenMillis().isPresent()
                        ? (Integer) (int) r.timeToFirstTokenMillis().getAsLong() : null)
                .bind("outcome", r.outcome().code());
    }

    private static void addToDays(Handle h, Map<DayKey, UsageTotals> late) {
        PreparedBatch batch = h.prepareBatch(ADD_TO_DAY);
        late.forEach((k, t) -> batch.bind("day", k.day()).bind("org", k.organization()).bind("key", k.key())
                .bind("user", k.user()).bind("model", k.model()).bind("supplier", k.supplier())
                .bind("requests", t.requests()).bind("prompt", t.promptTokens())
                .bind("completion", t.completionTokens()).bind("cached", t.cachedTokens())
                .bind("spend", t.spendMicros()).add());
        batch.execute();
    }

    private static UsageTotals totals(UsageRecord r) {
        return new UsageTotals(1, r.promptTokens(), r.completionTokens(), r.cachedTokens(), r.priceMicros());
    }
}
