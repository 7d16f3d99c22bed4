package dev.junction.gateway.limit;

import dev.junction.gateway.TestClock;
import dev.junction.gateway.TestDatabase;
import dev.junction.gateway.db.Database;
import dev.junction.gateway.db.DatabaseUrl;
import dev.junction.gateway.tenant.LimitKind;
import dev.junction.gateway.tenant.Limits;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Every limit, reservations settled and expired, and exactness under concurrency, on SQLite and PostgreSQL. */
class LimiterContractTest {
    private static final Instant T0 = Instant.parse("2026-12-31T23:58:10Z");
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(T0);

    private static List<Subject> key(Limits limits) {
        return List.of(Subject.key("key_a", limits));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void requestsPerMinuteCountInTheCalendarMinute(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            Limiter limiter = new Limiter(db, clock, "n1", LEASE);
            List<Subject> s = key(Limits.NONE.with(LimitKind.RPM, 3));
            for (int i = 0; i < 3; i++) {
                Decision d = limiter.admit(s, 10, 0);
                assertThat(d).isInstanceOf(Decision.Admitted.class);
                assertThat(d.quotas()).singleElement().extracting(Quota::remaining).isEqualTo(2L - i);
                limiter.settle(((Decision.Admitted) d).reservation(), 5, 0);
            }
            Decision refused = limiter.admit(s, 10, 0);
            assertThat(refused).isInstanceOfSatisfying(Decision.Refused.class, r -> {
                assertThat(r.kind()).isEqualTo(LimitKind.RPM);
                assertThat(r.isQuota()).isFalse();
                assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(50));
                assertThat(r.quotas()).singleElement().satisfies(q -> assertThat(q.remaining()).isZero());
            });
            clock.advance(Duration.ofSeconds(50));
            assertThat(limiter.admit(s, 10, 0)).isInstanceOf(Decision.Admitted.class);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void tokensPerMinuteReserveAndSettleToTheRealCount(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            Limiter limiter = new Limiter(db, clock, "n1", LEASE);
            List<Subject> s = key(Limits.NONE.with(LimitKind.TPM, 100));
            Reservation first = admitted(limiter.admit(s, 60, 0));
            assertThat(limiter.admit(s, 50, 0)).isInstanceOfSatisfying(Decision.Refused.class,
                    r -> assertThat(r.kind()).isEqualTo(LimitKind.TPM));
            limiter.settle(first, 10, 0);
            Reservation second = admitted(limiter.admit(s, 90, 0));
            assertThat(limiter.admit(s, 1, 0)).isInstanceOf(Decision.Refused.class);
            limiter.settle(second, 90, 0);
            assertThat(quota(limiter, s, LimitKind.TPM).used()).isEqualTo(100);
            assertThat(limiter.admit(s, 101, 0)).as("larger than the limit itself").isInstanceOf(Decision.Refused.class);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void concurrencyCountsRequestsInFlight(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            Limiter limiter = new Limiter(db, clock, "n1", LEASE);
            List<Subject> s = key(Limits.NONE.with(LimitKind.MAX_CONCURRENT, 2));
            Reservation a = admitted(limiter.admit(s, 1, 0));
            admitted(limiter.admit(s, 1, 0));
            assertThat(limiter.admit(s, 1, 0)).isInstanceOfSatisfying(Decision.Refused.class, r -> {
                assertThat(r.kind()).isEqualTo(LimitKind.MAX_CONCURRENT);
                assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(1));
            });
            limiter.settle(a, 1, 0);
            admitted(limiter.admit(s, 1, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void monthlyTokensAndSpendAreQuotasThatStartAnewEachMonth(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            Limiter limiter = new Limiter(db, clock, "n1", LEASE);
            List<Subject> s = key(Limits.NONE.with(LimitKind.MONTHLY_TOKENS, 1000)
                    .with(LimitKind.MONTHLY_SPEND, 5_000));
            limiter.settle(admitted(limiter.admit(s, 900, 4_000)), 700, 3_000);
            assertThat(limiter.admit(s, 301, 0)).isInstanceOfSatisfying(Decision.Refused.class, r -> {
                assertThat(r.kind()).isEqualTo(LimitKind.MONTHLY_TOKENS);
                assertThat(r.isQuota()).isTrue();
                assertThat(r.retryAfter()).isEqualTo(Duration.between(T0, Instant.parse("2027-01-01T00:00:00Z")));
            });
            assertThat(limiter.admit(s, 300, 2_001)).isInstanceOfSatisfying(Decision.Refused.class,
                    r -> assertThat(r.kind()).isEqualTo(LimitKind.MONTHLY_SPEND));
            limiter.settle(admitted(limiter.admit(s, 300, 2_000)), 300, 2_000);
            assertThat(quota(limiter, s, LimitKind.MONTHLY_TOKENS).remaining()).isZero();
            assertThat(quota(limiter, s, LimitKind.MONTHLY_SPEND).remaining()).isZero();

            clock.set(Instant.parse("2027-01-01T00:00:01Z"));
            assertThat(quota(limiter, s, LimitKind.MONTHLY_TOKENS).used()).isZero();
            admitted(limiter.admit(s, 1000, 5_000));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void anOrganizationsLimitCountsAllItsKeys(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            Limiter limiter = new Limiter(db, clock, "n1", LEASE);
            Subject org = Subject.organization("org_1", Limits.NONE.with(LimitKind.RPM, 3));
            List<Subject> a = List.of(Subject.key("key_a", Limits.NONE), org);
            List<Subject> b = List.of(Subject.key("key_b", Limits.NONE.with(LimitKind.RPM, 100)), org);
            admitted(limiter.admit(a, 1, 0));
            admitted(limiter.admit(b, 1, 0));
            admitted(limiter.admit(a, 1, 0));
            assertThat(limiter.admit(b, 1, 0)).isInstanceOfSatisfying(Decision.Refused.class,
                    r -> assertThat(r.subject()).isEqualTo("org:org_1"));
            assertThat(limiter.admit(List.of(Subject.key("key_c", Limits.NONE)), 1, 0))
                    .as("nothing limits it: nothing counted").isEqualTo(new Decision.Admitted(Reservation.NONE,
                            List.of()));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aDeadNodesReservationExpiresInsteadOfLeaking(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            Limiter dying = new Limiter(db, clock, "n1", LEASE);
            Limiter living = new Limiter(db, clock, "n2", LEASE);
            List<Subject> s = key(Limits.NONE.with(LimitKind.MAX_CONCURRENT, 1).with(LimitKind.MONTHLY_TOKENS, 100));
            Reservation lost = admitted(dying.admit(s, 100, 0));
            assertThat(living.admit(s, 1, 0)).isInstanceOf(Decision.Refused.class);

            clock.advance(Duration.ofSeconds(20));
            assertThat(living.expireLeases()).as("within its lease").isZero();
            clock.advance(Duration.ofSeconds(11));
            assertThat(living.expireLeases()).isEqualTo(1);
            assertThat(quota(living, s, LimitKind.MONTHLY_TOKENS).used()).isZero();
            assertThat(quota(living, s, LimitKind.MAX_CONCURRENT).used()).isZero();
            Reservation kept = admitted(living.admit(s, 40, 0));

            // the node was only slow: its late settlement still counts what was used
            dying.settle(lost, 30, 0);
            assertThat(quota(living, s, LimitKind.MONTHLY_TOKENS).used()).isEqualTo(70);
            assertThat(quota(living, s, LimitKind.MAX_CONCURRENT).used()).isEqualTo(1);
            living.settle(kept, 40, 0);
            assertThat(quota(living, s, LimitKind.MAX_CONCURRENT).used()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aLivingNodeRenewsItsLeases(TestDatabase kind) {
        try (Database db = kind.open(dir)) {
            Limiter node = new Limiter(db, clock, "n1", LEASE);
            Limiter other = new Limiter(db, clock, "n2", LEASE);
            List<Subject> s = key(Limits.NONE.with(LimitKind.MAX_CONCURRENT, 1));
            Reservation r = admitted(node.admit(s, 1, 0));
            for (int i = 0; i < 5; i++) {
                clock.advance(Duration.ofSeconds(20));
                assertThat(node.renewLeases()).isEqualTo(1);
                assertThat(other.renewLeases()).isZero();
                assertThat(other.expireLeases()).isZero();
            }
            node.settle(r, 1, 0);
            assertThat(db.withHandle((Handle h) -> h.createQuery("SELECT COUNT(*) FROM reservations")
                    .mapTo(Long.class).one())).isZero();
        }
    }

    /** Two nodes (pools) × 8 threads each admit at random moments against one key: exactly the limit gets in. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void concurrentAdmissionsFromTwoNodesAdmitExactlyTheLimit(TestDatabase kind) throws Exception {
        DatabaseUrl url = kind.url(dir);
        try (Database one = Database.open(url); Database two = Database.open(url);
             ExecutorService pool = Executors.newFixedThreadPool(16)) {
            Limiter[] nodes = {new Limiter(one, clock, "n1", LEASE), new Limiter(two, clock, "n2", LEASE)};
            List<Subject> s = List.of(Subject.key("key_a", Limits.NONE.with(LimitKind.RPM, 100)
                    .with(LimitKind.TPM, 4_000)), Subject.organization("org_1", Limits.NONE.with(LimitKind.TPM, 3_000)));
            AtomicInteger admitted = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                Limiter limiter = nodes[t % 2];
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 10; i++) {
                        if (ThreadLocalRandom.current().nextBoolean()) Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                        if (limiter.admit(s, 50, 0) instanceof Decision.Admitted a) {
                            admitted.incrementAndGet();
                            limiter.settle(a.reservation(), 50, 0);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get();
            assertThat(admitted.get()).as("the organization's 3,000 tokens a minute at 50 each").isEqualTo(60);
            assertThat(quota(nodes[0], s, LimitKind.TPM).used()).isEqualTo(3_000);
        }
    }

    /** Settlements queued from many threads are applied in batches to the same counts as one by one. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void queuedSettlementsAddUpAndFlushWaitsForThem(TestDatabase kind) throws Exception {
        try (Database db = kind.open(dir); ExecutorService pool = Executors.newFixedThreadPool(8)) {
            Limiter limiter = new Limiter(db, clock, "n1", LEASE);
            Subject org = Subject.organization("org_1", Limits.NONE.with(LimitKind.MONTHLY_TOKENS, 1_000_000));
            List<Future<?>> done = new ArrayList<>();
            try (Settlements settlements = new Settlements(limiter)) {
                for (int t = 0; t < 8; t++) {
                    List<Subject> s = List.of(Subject.key("key_" + t, Limits.NONE.with(LimitKind.MAX_CONCURRENT, 3)),
                            org);
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            Decision d = limiter.admit(s, 100, 0);
                            if (d instanceof Decision.Refused) { // as the interceptor does: its own may be queued
                                assertThat(settlements.flush(Duration.ofSeconds(5))).isTrue();
                                d = limiter.admit(s, 100, 0);
                            }
                            settlements.submit(admitted(d), 7, 0);
                            if (ThreadLocalRandom.current().nextInt(5) == 0) {
                                assertThat(settlements.flush(Duration.ofSeconds(5))).isTrue();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
                assertThat(settlements.flush(Duration.ofSeconds(10))).isTrue();
                assertThat(quota(limiter, List.of(org), LimitKind.MONTHLY_TOKENS).used()).isEqualTo(8 * 25 * 7);
                assertThat(db.withHandle((Handle h) -> h.createQuery("SELECT COUNT(*) FROM reservations")
                        .mapTo(Long.class).one())).isZero();
                assertThat(quota(limiter, List.of(Subject.key("key_0", Limits.NONE.with(LimitKind.MAX_CONCURRENT, 3))),
                        LimitKind.MAX_CONCURRENT).used()).isZero();
                settlements.submit(admitted(limiter.admit(List.of(org), 10, 0)), 1, 0);
            }
            assertThat(quota(limiter, List.of(org), LimitKind.MONTHLY_TOKENS).used()).as("close applies what is queued")
                    .isEqualTo(8 * 25 * 7 + 1);
        }
    }

    private static Reservation admitted(Decision d) {
        assertThat(d).isInstanceOf(Decision.Admitted.class);
        return ((Decision.Admitted) d).reservation();
    }

    private static Quota quota(Limiter limiter, List<Subject> s, LimitKind kind) {
        return limiter.standing(s).stream().filter(q -> q.kind() == kind)
                .reduce((a, b) -> a.remaining() <= b.remaining() ? a : b).orElseThrow();
    }
}
