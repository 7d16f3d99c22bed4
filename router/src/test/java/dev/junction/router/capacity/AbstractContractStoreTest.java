package dev.junction.router.capacity;

import dev.junction.router.ConcurrentRun;
import dev.junction.router.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ContractStore} must do, through the {@link CapacityContract}s that use it: a store is right when
 * these pass against it. A store implementation's test extends this class and says how to make a fresh, empty
 * store. The last test holds the store to the limits under many threads at once.
 */
public abstract class AbstractContractStoreTest {
    /** A quarter of a second into a second: a request now leaves the minute in 60.75 s. */
    protected static final Instant START = Instant.parse("2025-03-01T12:00:00.250Z");
    protected static final Duration LEAVES_THE_MINUTE = Duration.ofMillis(60_750);

    protected ManualClock clock;
    protected ContractStore store;

    /** A fresh store with no counters. */
    protected abstract ContractStore newStore();

    @BeforeEach
    void freshStore() {
        clock = new ManualClock(START);
        store = newStore();
    }

    protected CapacityContract contract(ContractLimits limits) {
        return new CapacityContract("trainium-east/llama", limits, store, clock);
    }

    static Reservation admitted(Admission a) {
        assertThat(a).isInstanceOf(Reservation.class);
        return (Reservation) a;
    }

    static Refusal refused(Admission a) {
        assertThat(a).isInstanceOf(Refusal.class);
        return (Refusal) a;
    }

    static ContractSnapshot use(int inFlight, long requests, long tokens, CapacityContract c) {
        return new ContractSnapshot(inFlight, requests, tokens, 0, c.limits());
    }

    @Test
    void anUnlimitedContractAdmitsEverythingAndCountsIt() {
        CapacityContract c = contract(ContractLimits.unlimited());
        for (int i = 0; i < 1_000; i++) admitted(c.tryReserve(100, 50));
        assertThat(c.snapshot()).isEqualTo(use(1_000, 1_000, 150_000, c));
    }

    @Test
    void concurrencyIsNeverAboveMax() {
        CapacityContract c = contract(ContractLimits.unlimited().withMaxConcurrent(2));
        Reservation a = admitted(c.tryReserve(1, 1));
        admitted(c.tryReserve(1, 1));
        Refusal r = refused(c.tryReserve(1, 1));
        assertThat(r).isEqualTo(new Refusal(RefusalReason.CONCURRENCY, Optional.of(Duration.ofSeconds(1))));
        assertThat(a.settle(2)).isTrue();
        admitted(c.tryReserve(1, 1));
        assertThat(c.snapshot().inFlight()).isEqualTo(2);
    }

    @Test
    void theSlotRetryAfterIsConfigurable() {
        CapacityContract c = contract(ContractLimits.unlimited().withMaxConcurrent(1)
                .withSlotRetryAfter(Duration.ofMillis(200)));
        admitted(c.tryReserve(1, 1));
        assertThat(refused(c.tryReserve(1, 1)).retryAfter()).contains(Duration.ofMillis(200));
    }

    @Test
    void rpmRefusesUntilTheOldestRequestsLeaveTheMinute() {
        CapacityContract c = contract(ContractLimits.unlimited().withRpm(100));
        for (int i = 0; i < 100; i++) admitted(c.tryReserve(1, 1)).settle(2);
        clock.advance(Duration.ofSeconds(30));
        Refusal r = refused(c.tryReserve(1, 1));
        assertThat(r.reason()).isEqualTo(RefusalReason.REQUESTS_PER_MINUTE);
        assertThat(r.retryAfter()).contains(LEAVES_THE_MINUTE.minusSeconds(30));
        clock.advance(r.retryAfter().orElseThrow().minusMillis(1));
        refused(c.tryReserve(1, 1));
        clock.advanceMillis(1);
        admitted(c.tryReserve(1, 1));
    }

    @Test
    void aFullMinuteAtTheBoundaryOfAnotherIsStillFull() { // what a fixed window would let through twice
        CapacityContract c = contract(ContractLimits.unlimited().withRpm(100));
        clock.advance(Duration.ofMillis(59_700)); // 12:00:59.950
        for (int i = 0; i < 100; i++) admitted(c.tryReserve(1, 1)).settle(2);
        clock.advance(Duration.ofMillis(100));    // 12:01:00.050, a new calendar minute
        assertThat(refused(c.tryReserve(1, 1)).reason()).isEqualTo(RefusalReason.REQUESTS_PER_MINUTE);
    }

    @Test
    void sixHundredRequestsAtRpm100AreAdmittedAtOneHundredAMinute() {
        CapacityContract c = contract(ContractLimits.unlimited().withRpm(100));
        List<Instant> admittedAt = new ArrayList<>();
        while (admittedAt.size() < 600) { // a client that tries again every 100 ms
            if (c.tryReserve(10, 10) instanceof Reservation r) {
                admittedAt.add(r.admittedAt());
                r.settle(15);
            }
            clock.advanceMillis(100);
        }
        for (int i = 100; i < admittedAt.size(); i++) {
            assertThat(Duration.between(admittedAt.get(i - 100), admittedAt.get(i))).as("request %d", i)
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(60));
        }
        // each hundred fills its first 10 s; a bucket leaves the minute 61 s after its second began
        assertThat(Duration.between(START, admittedAt.getLast())).isBetween(Duration.ofMinutes(5),
                Duration.ofSeconds(5 * 61 + 10));
    }

    @Test
    void tpmCountsPromptPlusMaxTokensUntilSettled() {
        CapacityContract c = contract(ContractLimits.unlimited().withTpm(2_000));
        Reservation r = admitted(c.tryReserve(100, 900));
        assertThat(r.reservedTokens()).isEqualTo(1_000);
        assertThat(refused(c.tryReserve(100, 1_000)).reason()).isEqualTo(RefusalReason.TOKENS_PER_MINUTE);
        assertThat(r.settle(300)).isTrue();
        assertThat(c.snapshot()).isEqualTo(use(0, 1, 300, c));
        admitted(c.tryReserve(700, 1_000)); // 300 + 1 700 = 2 000
        refused(c.tryReserve(0, 1));
    }

    @Test
    void tpmWaitsForAsManyOfTheOldestTokensAsTheRequestNeeds() {
        CapacityContract c = contract(ContractLimits.unlimited().withTpm(1_000));
        admitted(c.tryReserve(400, 0)).settle(400);        // second 0
        clock.advance(Duration.ofSeconds(20));
        admitted(c.tryReserve(400, 0)).settle(400);        // second 20
        clock.advance(Duration.ofSeconds(10));             // 30.25 s
        Refusal small = refused(c.tryReserve(300, 200));   // fits once second 0 leaves
        assertThat(small).isEqualTo(new Refusal(RefusalReason.TOKENS_PER_MINUTE,
                Optional.of(LEAVES_THE_MINUTE.minusSeconds(30))));
        Refusal large = refused(c.tryReserve(500, 200));   // needs second 20 gone too
        assertThat(large.retryAfter()).contains(LEAVES_THE_MINUTE.minusSeconds(10));
        clock.advance(large.retryAfter().orElseThrow());
        admitted(c.tryReserve(500, 200));
    }

    @Test
    void aRequestLargerThanTpmNeverFits() {
        CapacityContract c = contract(ContractLimits.unlimited().withTpm(1_000));
        assertThat(c.tryReserve(600, 401)).isEqualTo(new Refusal(RefusalReason.LARGER_THAN_TPM, Optional.empty()));
        admitted(c.tryReserve(600, 400));
    }

    @Test
    void aRefusalTakesNothing() {
        CapacityContract c = contract(ContractLimits.unlimited().withMaxConcurrent(3).withRpm(2).withTpm(100));
        admitted(c.tryReserve(10, 10));
        refused(c.tryReserve(50, 50));    // tpm refuses: no slot, no request, no token taken
        assertThat(c.snapshot()).isEqualTo(use(1, 1, 20, c));
        admitted(c.tryReserve(10, 10));
        refused(c.tryReserve(1, 1));      // rpm refuses
        assertThat(c.snapshot()).isEqualTo(use(2, 2, 40, c));
    }

    @Test
    void theRefusalNamesTheLimitThatFreesLast() {
        CapacityContract c = contract(ContractLimits.unlimited().withMaxConcurrent(1).withRpm(1).withTpm(100));
        admitted(c.tryReserve(50, 50));
        Refusal r = refused(c.tryReserve(1, 1)); // all three refuse; the minute frees in 60.75 s, the slot "in 1 s"
        assertThat(r.reason()).isIn(RefusalReason.REQUESTS_PER_MINUTE, RefusalReason.TOKENS_PER_MINUTE);
        assertThat(r.retryAfter()).contains(LEAVES_THE_MINUTE);
    }

    @Test
    void settleReplacesTheReservedTokensWithTheRealCount() {
        CapacityContract c = contract(ContractLimits.unlimited().withMaxConcurrent(4));
        Reservation r = admitted(c.tryReserve(100, 1_000));
        assertThat(c.snapshot()).isEqualTo(use(1, 1, 1_100, c));
        assertThat(r.settle(180)).isTrue();
        assertThat(c.snapshot()).isEqualTo(use(0, 1, 180, c));
    }

    @Test
    void releaseGivesBackEverythingItTook() {
        CapacityContract c = contract(ContractLimits.unlimited().withMaxConcurrent(1).withRpm(1).withTpm(100));
        Reservation r = admitted(c.tryReserve(50, 50));
        assertThat(r.release()).isTrue();
        assertThat(c.snapshot()).isEqualTo(use(0, 0, 0, c));
        admitted(c.tryReserve(50, 50));
    }

    @Test
    void aReservationIsCompletedExactlyOnce() {
        CapacityContract c = contract(ContractLimits.unlimited());
        Reservation settled = admitted(c.tryReserve(10, 90));
        Reservation released = admitted(c.tryReserve(10, 90));
        assertThat(settled.settle(40)).isTrue();
        assertThat(settled.settle(1)).isFalse();
        assertThat(settled.release()).isFalse();
        assertThat(released.release()).isTrue();
        assertThat(released.release()).isFalse();
        assertThat(released.settle(100)).isFalse();
        assertThat(c.snapshot()).isEqualTo(use(0, 1, 40, c));
    }

    @Test
    void aLeakedReservationIsReclaimedWhenItsLeaseEnds() { // LiteLLM #36926: a leak must not fill the contract
        CapacityContract c = contract(ContractLimits.unlimited().withMaxConcurrent(1).withTpm(1_000)
                .withLease(Duration.ofSeconds(90)));
        Reservation leaked = admitted(c.tryReserve(100, 100));
        assertThat(leaked.leaseExpiresAt()).isEqualTo(START.plusSeconds(90));
        clock.advance(Duration.ofSeconds(89));
        refused(c.tryReserve(1, 1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(c.snapshot()).isEqualTo(new ContractSnapshot(0, 0, 0, 1, c.limits()));
        Reservation next = admitted(c.tryReserve(1, 1));
        assertThat(leaked.settle(150)).isFalse(); // too late: reclaimed, and it must not free the new one's slot
        assertThat(leaked.release()).isFalse();
        assertThat(c.snapshot()).isEqualTo(new ContractSnapshot(1, 1, 2, 1, c.limits()));
        assertThat(next.settle(2)).isTrue();
    }

    @Test
    void aReclaimedReservationsTokensStayCountedForTheirMinute() {
        CapacityContract c = contract(ContractLimits.unlimited().withTpm(1_000).withLease(Duration.ofSeconds(5)));
        admitted(c.tryReserve(400, 400));
        clock.advance(Duration.ofSeconds(5));
        assertThat(c.snapshot()).isEqualTo(new ContractSnapshot(0, 1, 800, 1, c.limits()));
        refused(c.tryReserve(100, 200));
    }

    @Test
    void settlingAfterTheMinuteHasPassedChangesNothingCountedNow() {
        CapacityContract c = contract(ContractLimits.unlimited().withTpm(1_000));
        Reservation longRunning = admitted(c.tryReserve(100, 900));
        clock.advance(LEAVES_THE_MINUTE);
        Reservation fresh = admitted(c.tryReserve(100, 900));
        assertThat(longRunning.settle(50)).isTrue();
        assertThat(c.snapshot()).isEqualTo(use(1, 1, 1_000, c));
        assertThat(fresh.settle(900)).isTrue();
        clock.advance(Duration.ofMinutes(2)); // every bucket slot has turned over twice since
        assertThat(c.snapshot()).isEqualTo(use(0, 0, 0, c));
    }

    @Test
    void contractsOfDifferentKeysDoNotShareCounters() {
        CapacityContract a = new CapacityContract("a", ContractLimits.unlimited().withRpm(1), store, clock);
        CapacityContract b = new CapacityContract("b", ContractLimits.unlimited().withRpm(1), store, clock);
        admitted(a.tryReserve(1, 1));
        admitted(b.tryReserve(1, 1));
        refused(a.tryReserve(1, 1));
    }

    @Test
    void aContractMadeAgainWithNewLimitsKeepsItsCounters() { // a reloaded configuration
        CapacityContract before = contract(ContractLimits.unlimited().withMaxConcurrent(4));
        Reservation r = admitted(before.tryReserve(10, 10));
        admitted(before.tryReserve(10, 10));
        CapacityContract after = contract(ContractLimits.unlimited().withMaxConcurrent(2));
        refused(after.tryReserve(10, 10));
        assertThat(r.settle(15)).isTrue(); // the reservation made before the reload frees a slot of the new one
        admitted(after.tryReserve(10, 10));
        assertThat(after.snapshot()).isEqualTo(use(2, 3, 55, after));
    }

    @Test
    void badArgumentsAreRefused() {
        CapacityContract c = contract(ContractLimits.unlimited());
        assertThatThrownBy(() -> c.tryReserve(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        Reservation r = admitted(c.tryReserve(1, 1));
        assertThatThrownBy(() -> r.settle(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(r.settle(2)).isTrue(); // the refused call did not complete it
        assertThatThrownBy(() -> ContractLimits.unlimited().withRpm(0)).hasMessageContaining("rpm");
        assertThatThrownBy(() -> ContractLimits.unlimited().withMaxConcurrent(0)).hasMessageContaining("max_concurrent");
        assertThatThrownBy(() -> ContractLimits.unlimited().withTpm(0)).hasMessageContaining("tpm");
    }

    /** One reservation as it ended: what it still counts for its minute (nothing if released). */
    record Ended(Instant admittedAt, long requests, long tokens) {}

    /**
     * Many threads reserve with random sizes, hold reservations while the clock moves, settle them with random real
     * counts or release them, and sometimes complete one twice. The seed is printed; rerun one with
     * {@code -Djunction.seed=N}. No more than {@code max_concurrent} are ever held at once; no 60 s of the clock hold
     * more than {@code rpm} requests or {@code tpm} tokens; every reservation completes exactly once; at the end the
     * counters hold exactly what the ended reservations left in the minute, and nothing once it has passed.
     */
    @Test
    @Timeout(60)
    void theLimitsHoldUnderRandomConcurrentUse() throws Exception {
        long seed = ConcurrentRun.seed(getClass().getSimpleName());
        int maxConcurrent = 6;
        int rpm = 240;
        long tpm = 20_000;
        CapacityContract c = contract(ContractLimits.unlimited().withMaxConcurrent(maxConcurrent).withRpm(rpm)
                .withTpm(tpm).withLease(Duration.ofHours(2)));
        AtomicInteger held = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicInteger wrongCompletions = new AtomicInteger();
        ConcurrentLinkedQueue<Ended> ended = new ConcurrentLinkedQueue<>();
        Set<RefusalReason> reasons = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<Refusal> oddRefusals = new ConcurrentLinkedQueue<>();

        ConcurrentRun.run(8, seed, random -> {
            List<Reservation> mine = new ArrayList<>();
            for (int step = 0; step < 3_000; step++) {
                if (random.nextInt(100) < 2) clock.advanceMillis(random.nextInt(3_000));
                if (mine.size() < 3 && random.nextBoolean()) {
                    // two minutes of small requests (rpm binds), two of large ones (tpm binds), in turn
                    int size = (clock.millis() / 120_000) % 2 == 0 ? 10 : 500;
                    switch (c.tryReserve(random.nextInt(size), random.nextInt(size))) {
                        case Reservation r -> {
                            mostHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                            mine.add(r);
                        }
                        case Refusal r -> {
                            reasons.add(r.reason());
                            Duration wait = r.retryAfter().orElse(Duration.ZERO);
                            if (wait.isNegative() || wait.compareTo(LEAVES_THE_MINUTE.plusSeconds(1)) > 0) {
                                oddRefusals.add(r);
                            }
                        }
                    }
                } else if (!mine.isEmpty()) {
                    Reservation r = mine.remove(random.nextInt(mine.size()));
                    held.decrementAndGet();
                    end(r, random, ended, wrongCompletions);
                }
            }
            for (Reservation r : mine) {
                held.decrementAndGet();
                end(r, random, ended, wrongCompletions);
            }
        });

        String why = "seed " + seed;
        assertThat(mostHeld.get()).as(why + ": held at once").isBetween(1, maxConcurrent);
        assertThat(wrongCompletions).as(why + ": completions that did not count exactly once").hasValue(0);
        assertThat(oddRefusals).as(why + ": refusals with a Retry-After out of range").isEmpty();
        // rpm and tpm bind in every run; max_concurrent only when the threads really overlap, which a busy 2-core
        // machine does not promise (its refusal is checked deterministically above)
        assertThat(reasons).as(why).contains(RefusalReason.REQUESTS_PER_MINUTE, RefusalReason.TOKENS_PER_MINUTE);

        List<Ended> byTime = ended.stream().sorted(Comparator.comparing(Ended::admittedAt)).toList();
        long requests = 0;
        long tokens = 0;
        int first = 0;
        for (Ended e : byTime) { // the 60 s ending at each admission
            requests += e.requests();
            tokens += e.tokens();
            while (!byTime.get(first).admittedAt().isAfter(e.admittedAt().minusSeconds(60))) {
                requests -= byTime.get(first).requests();
                tokens -= byTime.get(first).tokens();
                first++;
            }
            assertThat(requests).as(why + ": requests in the minute up to " + e.admittedAt()).isLessThanOrEqualTo(rpm);
            assertThat(tokens).as(why + ": tokens in the minute up to " + e.admittedAt()).isLessThanOrEqualTo(tpm);
        }

        long second = Math.floorDiv(clock.millis(), 1000);
        List<Ended> inWindow = byTime.stream()
                .filter(e -> Math.floorDiv(e.admittedAt().toEpochMilli(), 1000) >= second - 60).toList();
        assertThat(c.snapshot()).as(why).isEqualTo(new ContractSnapshot(0,
                inWindow.stream().mapToLong(Ended::requests).sum(), inWindow.stream().mapToLong(Ended::tokens).sum(),
                0, c.limits()));
        clock.advance(LEAVES_THE_MINUTE.plusSeconds(1));
        assertThat(c.snapshot()).as(why).isEqualTo(use(0, 0, 0, c));
    }

    private static void end(Reservation r, Random random, ConcurrentLinkedQueue<Ended> ended,
                            AtomicInteger wrongCompletions) {
        boolean settle = random.nextInt(10) < 7;
        int actual = random.nextInt((int) r.reservedTokens() + 1);
        if (!(settle ? r.settle(actual) : r.release())) wrongCompletions.incrementAndGet();
        ended.add(settle ? new Ended(r.admittedAt(), 1, actual) : new Ended(r.admittedAt(), 0, 0));
        if (random.nextInt(10) == 0 && (random.nextBoolean() ? r.settle(actual) : r.release())) {
            wrongCompletions.incrementAndGet();
        }
    }
}
