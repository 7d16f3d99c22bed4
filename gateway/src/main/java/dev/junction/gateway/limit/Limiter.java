package dev.junction.gateway.limit;

import dev.junction.gateway.db.Database;
import dev.junction.gateway.db.Dialect;
import dev.junction.gateway.tenant.Ids;
import dev.junction.gateway.tenant.LimitKind;
import dev.junction.gateway.tenant.Limits;
import org.jdbi.v3.core.Handle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Admits requests against the limits of their subjects (a key, its organization) and settles them, on the database
 * every node shares. An admission is one transaction: each limited subject's {@code limit_state} row is locked (in
 * name order, so two admissions never wait on each other crosswise), every limit checked against what is counted
 * plus what this request reserves, and on success the counts raised and a {@code reservations} row written with a
 * lease. Settling lowers the counts by what was reserved but not used; a reservation whose node stopped renewing its
 * lease is released by {@link #expireLeases} on any node, so a dead node's reservations never block a budget.
 *
 * <p>Counts are per calendar window: a request counts in the minute and month it was admitted in.
 */
public final class Limiter {
    private static final String STATE_COLUMNS = "subject, minute_start, minute_requests, minute_tokens, month_start, "
            + "month_tokens, month_spend_micros, in_flight";

    private final Database db;
    private final Clock clock;
    private final String node;
    private final Duration lease;

    /**
     * @param node  this process's name on the reservations it writes (whose leases it renews)
     * @param lease how long a reservation stands without its node renewing it
     */
    public Limiter(Database db, Clock clock, String node, Duration lease) {
        this.db = Objects.requireNonNull(db, "db");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.node = Objects.requireNonNull(node, "node");
        this.lease = Objects.requireNonNull(lease, "lease");
        if (lease.isNegative() || lease.isZero()) throw new IllegalArgumentException("lease must be positive");
    }

    public Duration lease() {
        return lease;
    }

    /**
     * Admits one request that may use up to {@code tokens} tokens costing up to {@code spendMicros}, or refuses it
     * by the first limit it would pass (subjects in name order, limits in {@link LimitKind} order). Subjects
     * without limits are not counted at all.
     */
    public Decision admit(List<Subject> subjects, long tokens, long spendMicros) {
        if (tokens < 0 || spendMicros < 0) throw new IllegalArgumentException("negative reservation");
        List<Subject> limited = limited(subjects);
        if (limited.isEmpty()) return new Decision.Admitted(Reservation.NONE, List.of());
        Instant now = clock.instant();
        if (db.dialect() == Dialect.POSTGRESQL) return admitInOneStatement(limited, tokens, spendMicros, now);
        return db.inTransaction(h -> {
            List<Counters> counted = lock(h, limited, now);
            for (int i = 0; i < limited.size(); i++) {
                Optional<Decision.Refused> refused = check(limited.get(i), counted.get(i), tokens, spendMicros, now);
                if (refused.isPresent()) return refused.get();
            }
            List<Quota> quotas = new ArrayList<>();
            List<Counters> after = new ArrayList<>();
            for (int i = 0; i < limited.size(); i++) {
                after.add(counted.get(i).plus(tokens, spendMicros));
                quotas.addAll(minuteQuotas(limited.get(i), after.get(i), now));
            }
            write(h, after);
            Reservation r = new Reservation(Ids.next("rsv"), limited.stream().map(Subject::name).toList(), tokens,
                    spendMicros, Windows.minuteStart(now), Windows.monthStart(now));
            h.createUpdate("INSERT INTO reservations (id, key_subject, org_subject, tokens, spend_micros, "
                            + "minute_start, month_start, node, lease_until) VALUES (:id, :a, :b, :tokens, :spend, "
                            + ":minute, :month, :node, :lease)")
                    .bind("id", r.id()).bind("a", r.subjects().get(0))
                    .bind("b", r.subjects().size() > 1 ? r.subjects().get(1) : null)
                    .bind("tokens", tokens).bind("spend", spendMicros).bind("minute", r.minuteStart())
                    .bind("month", r.monthStart()).bind("node", node)
                    .bind("lease", now.plus(lease).toEpochMilli()).execute();
            return new Decision.Admitted(r, quotas);
        });
    }

    /** {@link #admit} on PostgreSQL: {@link PostgresAdmission}, creating the subjects' rows first if they are new. */
    private Decision admitInOneStatement(List<Subject> limited, long tokens, long spend, Instant now) {
        Reservation r = new Reservation(Ids.next("rsv"), limited.stream().map(Subject::name).toList(), tokens, spend,
                Windows.minuteStart(now), Windows.monthStart(now));
        long leaseUntil = now.plus(lease).toEpochMilli();
        PostgresAdmission.Outcome o = db.withHandle(h -> PostgresAdmission.run(h, limited, tokens, spend, r, node,
                leaseUntil));
        if (o.before().size() < limited.size()) {
            db.useTransaction(h -> lock(h, limited, now)); // creates the missing rows
            o = db.withHandle(h -> PostgresAdmission.run(h, limited, tokens, spend, r, node, leaseUntil));
        }
        List<Quota> quotas = new ArrayList<>();
        for (int i = 0; i < limited.size(); i++) {
            Counters before = o.before().get(i);
            if (!o.admitted()) {
                Optional<Decision.Refused> refused = check(limited.get(i), before, tokens, spend, now);
                if (refused.isPresent()) return refused.get();
            } else {
                quotas.addAll(minuteQuotas(limited.get(i), before.plus(tokens, spend), now));
            }
        }
        if (!o.admitted()) throw new IllegalStateException("admission refused without a limit passed");
        return new Decision.Admitted(r, quotas);
    }

    /**
     * Settles a reservation with what the request really used: the counts of its admission's minute and month drop
     * by the difference and it leaves the requests in flight. A reservation already released by its lease adds what
     * was used instead. Settling {@link Reservation#NONE} does nothing.
     */
    public void settle(Reservation r, long tokens, long spendMicros) {
        settleAll(List.of(new Settlement(r, tokens, spendMicros)));
    }

    /** A reservation and what its request really used. */
    public record Settlement(Reservation reservation, long tokens, long spendMicros) {
        public Settlement {
            Objects.requireNonNull(reservation, "reservation");
            if (tokens < 0 || spendMicros < 0) throw new IllegalArgumentException("negative usage");
        }
    }

    /**
     * Settles several reservations in one transaction: their rows deleted in one batch, and each subject's counts
     * moved once by the sum of its settlements (per admission window), in name order.
     */
    public void settleAll(List<Settlement> settlements) {
        List<Settlement> real = settlements.stream().filter(x -> !x.reservation().isNone()).toList();
        if (real.isEmpty()) return;
        db.useTransaction(h -> {
            var delete = h.prepareBatch("DELETE FROM reservations WHERE id = :id");
            for (Settlement x : real) delete.bind("id", x.reservation().id()).add();
            int[] deleted = delete.execute();
            SortedMap<Window, Move> moves = new TreeMap<>();
            for (int i = 0; i < real.size(); i++) {
                Settlement x = real.get(i);
                Reservation r = x.reservation();
                Move move = deleted[i] == 1 // still held: replace the reservation by the use, and leave
                        ? new Move(x.tokens() - r.tokens(), x.spendMicros() - r.spendMicros(), 1)
                        : new Move(x.tokens(), x.spendMicros(), 0); // released by its lease: add the use
                for (String subject : r.subjects()) {
                    moves.merge(new Window(subject, r.minuteStart(), r.monthStart()), move, Move::plus);
                }
            }
            adjust(h, moves);
        });
    }

    /** A subject's counts in the windows of one admission. */
    private record Window(String subject, long minuteStart, long monthStart) implements Comparable<Window> {
        @Override
        public int compareTo(Window o) {
            return Comparator.comparing(Window::subject).thenComparingLong(Window::minuteStart)
                    .thenComparingLong(Window::monthStart).compare(this, o);
        }
    }

    /** How a subject's counts in one window move: by tokens and spend, and by requests leaving the in-flight count. */
    private record Move(long tokens, long spendMicros, int leaving) {
        Move plus(Move o) {
            return new Move(tokens + o.tokens, spendMicros + o.spendMicros, leaving + o.leaving);
        }
    }

    /** Renews the leases of this node's reservations (run well within each lease); returns how many. */
    public int renewLeases() {
        long until = clock.instant().plus(lease).toEpochMilli();
        return db.inTransaction(h -> h.createUpdate("UPDATE reservations SET lease_until = :until WHERE node = :node")
                .bind("until", until).bind("node", node).execute());
    }

    /** Releases every reservation whose lease ran out (its node died), each in its own transaction; returns how many. */
    public int expireLeases() {
        long now = clock.millis();
        List<Expired> expired = db.withHandle(h -> h.createQuery("SELECT id, key_subject, org_subject, tokens, "
                        + "spend_micros, minute_start, month_start FROM reservations WHERE lease_until < :now")
                .bind("now", now)
                .map((rs, ctx) -> {
                    List<String> subjects = new ArrayList<>();
                    subjects.add(rs.getString(2));
                    if (rs.getString(3) != null) subjects.add(rs.getString(3));
                    return new Expired(new Reservation(rs.getString(1), subjects, rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), rs.getLong(7)));
                }).list());
        int released = 0;
        for (Expired e : expired) {
            Reservation r = e.reservation();
            boolean done = db.inTransaction(h -> {
                int gone = h.createUpdate("DELETE FROM reservations WHERE id = :id AND lease_until < :now")
                        .bind("id", r.id()).bind("now", now).execute();
                if (gone == 1) {
                    SortedMap<Window, Move> moves = new TreeMap<>();
                    for (String subject : r.subjects()) {
                        moves.put(new Window(subject, r.minuteStart(), r.monthStart()),
                                new Move(-r.tokens(), -r.spendMicros(), 1));
                    }
                    adjust(h, moves);
                }
                return gone == 1;
            });
            if (done) released++;
        }
        return released;
    }

    /** Every limit of these subjects with what is counted against it now (for self-service). */
    public List<Quota> standing(List<Subject> subjects) {
        Instant now = clock.instant();
        List<Quota> out = new ArrayList<>();
        db.useTransaction(h -> {
            for (Subject s : limited(subjects)) {
                Counters c = h.createQuery("SELECT " + STATE_COLUMNS + " FROM limit_state WHERE subject = :s")
                        .bind("s", s.name()).map((rs, ctx) -> Counters.read(rs)).findOne()
                        .orElse(Counters.fresh(s.name(), now)).rolledTo(now);
                for (var limit : s.limits().set().entrySet()) {
                    out.add(new Quota(s.name(), limit.getKey(), limit.getValue(), c.used(limit.getKey()),
                            resetAt(limit.getKey(), now)));
                }
            }
        });
        return out;
    }

    private record Expired(Reservation reservation) {
    }

    private static List<Subject> limited(List<Subject> subjects) {
        return subjects.stream().filter(s -> !s.limits().isNone()).sorted(Comparator.comparing(Subject::name)).toList();
    }

    /**
     * Locks the subjects' rows (creating those that are new) in one statement, in name order, and returns their
     * counts rolled to {@code now}, in the order of {@code subjects} (which is name order).
     */
    private List<Counters> lock(Handle h, List<Subject> subjects, Instant now) {
        List<String> names = subjects.stream().map(Subject::name).toList();
        String select = "SELECT " + STATE_COLUMNS + " FROM limit_state WHERE subject IN (<names>) ORDER BY subject"
                + db.dialect().forUpdate();
        List<Counters> rows = h.createQuery(select).bindList("names", names).map((rs, ctx) -> Counters.read(rs)).list();
        if (rows.size() < names.size()) {
            var insert = h.prepareBatch("INSERT INTO limit_state (" + STATE_COLUMNS + ") VALUES (:subject, :minute, 0, "
                    + "0, :month, 0, 0, 0) ON CONFLICT (subject) DO NOTHING");
            for (String name : names) {
                Counters fresh = Counters.fresh(name, now);
                insert.bind("subject", name).bind("minute", fresh.minuteStart()).bind("month", fresh.monthStart()).add();
            }
            insert.execute();
            rows = h.createQuery(select).bindList("names", names).map((rs, ctx) -> Counters.read(rs)).list();
        }
        return rows.stream().map(c -> c.rolledTo(now)).toList();
    }

    /** Writes the subjects' new counts in one batch (one round trip to PostgreSQL). */
    private static void write(Handle h, List<Counters> all) {
        var update = h.prepareBatch("UPDATE limit_state SET minute_start = :minute, minute_requests = :requests, "
                + "minute_tokens = :mtokens, month_start = :month, month_tokens = :tokens, "
                + "month_spend_micros = :spend, in_flight = :inflight WHERE subject = :s");
        for (Counters c : all) {
            update.bind("minute", c.minuteStart()).bind("requests", c.minuteRequests()).bind("mtokens", c.minuteTokens())
                    .bind("month", c.monthStart()).bind("tokens", c.monthTokens()).bind("spend", c.monthSpendMicros())
                    .bind("inflight", c.inFlight()).bind("s", c.subject()).add();
        }
        update.execute();
    }

    /**
     * Moves subjects' counts per window — only while the window counted is still the subject's current one — in one
     * batch, in name order.
     */
    private static void adjust(Handle h, SortedMap<Window, Move> moves) {
        var update = h.prepareBatch("UPDATE limit_state SET "
                + "minute_tokens = " + inWindow("minute_start = :minute", "minute_tokens", ":dt") + ", "
                + "month_tokens = " + inWindow("month_start = :month", "month_tokens", ":dt") + ", "
                + "month_spend_micros = " + inWindow("month_start = :month", "month_spend_micros", ":ds") + ", "
                + "in_flight = CASE WHEN in_flight >= :leaving THEN in_flight - :leaving ELSE 0 END "
                + "WHERE subject = :s");
        moves.forEach((w, m) -> update.bind("minute", w.minuteStart()).bind("month", w.monthStart())
                .bind("dt", m.tokens()).bind("ds", m.spendMicros()).bind("leaving", m.leaving()).bind("s", w.subject())
                .add());
        update.execute();
    }

    /** SQL for: {@code column + delta}, never below zero, when {@code window} holds; else {@code column} unchanged. */
    private static String inWindow(String window, String column, String delta) {
        return "CASE WHEN " + window + " THEN (CASE WHEN " + column + " + " + delta + " < 0 THEN 0 ELSE " + column
                + " + " + delta + " END) ELSE " + column + " END";
    }

    private static Optional<Decision.Refused> check(Subject s, Counters c, long tokens, long spend, Instant now) {
        Limits l = s.limits();
        for (LimitKind kind : LimitKind.values()) {
            if (l.get(kind).isEmpty()) continue;
            long limit = l.get(kind).getAsLong();
            long wanted = switch (kind) {
                case RPM, MAX_CONCURRENT -> 1;
                case TPM, MONTHLY_TOKENS -> tokens;
                case MONTHLY_SPEND -> spend;
            };
            if (c.used(kind) + wanted > limit) {
                long waitMillis = Math.max(1000, resetAt(kind, now).toEpochMilli() - now.toEpochMilli());
                return Optional.of(new Decision.Refused(kind, s.name(), limit, Duration.ofMillis(waitMillis),
                        minuteQuotas(s, c, now)));
            }
        }
        return Optional.empty();
    }

    private static List<Quota> minuteQuotas(Subject s, Counters c, Instant now) {
        List<Quota> out = new ArrayList<>(2);
        for (LimitKind kind : new LimitKind[]{LimitKind.RPM, LimitKind.TPM}) {
            s.limits().get(kind).ifPresent(limit ->
                    out.add(new Quota(s.name(), kind, limit, c.used(kind), resetAt(kind, now))));
        }
        return out;
    }

    private static Instant resetAt(LimitKind kind, Instant now) {
        return switch (kind) {
            case RPM, TPM -> Instant.ofEpochMilli(Windows.nextMinute(now));
            case MAX_CONCURRENT -> now.plusSeconds(1);
            case MONTHLY_TOKENS, MONTHLY_SPEND -> Instant.ofEpochMilli(Windows.nextMonth(now));
        };
    }
}
