package dev.junction.gateway.usage;

import dev.junction.gateway.db.Database;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Rolls the raw records of whole past UTC days up into {@code usage_daily}, one transaction per day, and deletes raw
 * records past the retention once their day is rolled up. A day is rolled by whoever inserts its marker in
 * {@code usage_rolled_days} first: a second node running at once waits for that marker's transaction and then finds
 * the day done, so every record is added up once.
 */
final class Rollup {
    private static final Logger LOG = LoggerFactory.getLogger(Rollup.class);
    private static final String ADD_UP_DAY = "INSERT INTO usage_daily (day, organization_label, key_label, "
            + "user_label, model_label, supplier_label, requests, prompt_tokens, completion_tokens, cached_tokens, "
            + "spend_micros) SELECT :day, organization_label, key_label, user_label, model_label, supplier_label, "
            + "COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cached_tokens), SUM(price_micros) "
            + "FROM usage_records WHERE at >= :start AND at < :end "
            + "GROUP BY organization_label, key_label, user_label, model_label, supplier_label";

    private final Database db;

    Rollup(Database db) {
        this.db = db;
    }

    RollupResult run(Instant now, Duration retention) {
        long today = UsageDays.of(now.toEpochMilli());
        List<LocalDate> rolled = new ArrayList<>();
        for (OptionalLong day = nextRawDay(0, UsageDays.start(today)); day.isPresent();
             day = nextRawDay(UsageDays.start(day.getAsLong() + 1), UsageDays.start(today))) {
            long d = day.getAsLong();
            if (!isRolled(d) && db.inTransaction(h -> rollUp(h, d, now))) rolled.add(UsageDays.date(d));
        }
        long cutoff = now.minus(retention).toEpochMilli();
        long deleted = 0;
        for (OptionalLong day = nextRawDay(0, cutoff); day.isPresent();
             day = nextRawDay(UsageDays.start(day.getAsLong() + 1), cutoff)) {
            long d = day.getAsLong();
            if (isRolled(d)) deleted += db.inTransaction(h -> deleteRaw(h, d, cutoff));
        }
        if (!rolled.isEmpty() || deleted > 0) {
            LOG.info("usage rolled up for {} day(s) {}; {} raw record(s) past retention deleted", rolled.size(),
                    rolled, deleted);
        }
        return new RollupResult(rolled, deleted);
    }

    /** The first day at or after {@code from} with raw records before {@code before}. */
    private OptionalLong nextRawDay(long from, long before) {
        if (from >= before) return OptionalLong.empty();
        Long at = db.withHandle(h -> h.createQuery("SELECT MIN(at) FROM usage_records WHERE at >= :from AND at < :before")
                .bind("from", from).bind("before", before).mapTo(Long.class).one());
        return at == null ? OptionalLong.empty() : OptionalLong.of(UsageDays.of(at));
    }

    private boolean isRolled(long day) {
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM usage_rolled_days WHERE day = :day")
                .bind("day", day).mapTo(Long.class).one() > 0);
    }

    /** Marks {@code day} rolled and adds it up; false when another node had marked it (then nothing is added). */
    private boolean rollUp(Handle h, long day, Instant now) {
        RawLock.ROLL_UP.take(h, db.dialect());
        int marked = h.createUpdate("INSERT INTO usage_rolled_days (day, rolled_at) VALUES (:day, :now) "
                        + "ON CONFLICT (day) DO NOTHING")
                .bind("day", day).bind("now", now.toEpochMilli()).execute();
        if (marked == 0) return false;
        h.createUpdate(ADD_UP_DAY).bind("day", day).bind("start", UsageDays.start(day))
                .bind("end", UsageDays.start(day + 1)).execute();
        return true;
    }

    private static long deleteRaw(Handle h, long day, long cutoff) {
        return h.createUpdate("DELETE FROM usage_records WHERE at >= :start AND at < :end")
                .bind("start", UsageDays.start(day)).bind("end", Math.min(UsageDays.start(day + 1), cutoff))
                .execute();
    }
}
