package dev.junction.router.health;

import dev.junction.router.ConcurrentRun;
import dev.junction.router.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryBudgetTest {
    final ManualClock clock = new ManualClock(Instant.parse("2025-03-01T12:00:00.500Z"));
    final RetryBudget budget = new RetryBudget(RetryBudgetConfig.defaults(), clock);

    int retriesAllowed() {
        int n = 0;
        while (budget.tryRetry()) n++;
        return n;
    }

    void requests(int n) {
        for (int i = 0; i < n; i++) budget.recordRequest();
    }

    @Test
    void lowTrafficStillGetsTheMinimum() {
        requests(3);
        assertThat(retriesAllowed()).isEqualTo(10);
        assertThat(budget.snapshot()).isEqualTo(new RetryBudgetSnapshot(3, 10, 10));
    }

    @Test
    void heavyTrafficGetsTwentyPercent() {
        requests(1_000);
        assertThat(retriesAllowed()).isEqualTo(200);
        requests(10); // two more retries' worth
        assertThat(retriesAllowed()).isEqualTo(2);
    }

    @Test
    void theWindowSlidesBucketByBucket() {
        requests(500);                         // t = 0.5 s, bucket 0
        clock.advance(Duration.ofSeconds(5));
        requests(500);                         // t = 5.5 s, bucket 5
        assertThat(retriesAllowed()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(4));  // 9.5 s: all in the window
        assertThat(budget.tryRetry()).isFalse();
        clock.advance(Duration.ofSeconds(1));  // 10.5 s: bucket 0 has left, with 500 requests
        assertThat(budget.snapshot()).isEqualTo(new RetryBudgetSnapshot(500, 200, 100));
        assertThat(budget.tryRetry()).isFalse();
        clock.advance(Duration.ofSeconds(5));  // 15.5 s: everything has left
        assertThat(budget.snapshot()).isEqualTo(new RetryBudgetSnapshot(0, 0, 10));
        assertThat(retriesAllowed()).isEqualTo(10);
    }

    @Test
    void aClockSetBackCountsAsTheLatestTime() {
        AtomicLong millis = new AtomicLong(20_500);
        RetryBudget b = new RetryBudget(RetryBudgetConfig.defaults(), () -> Instant.ofEpochMilli(millis.get()));
        for (int i = 0; i < 100; i++) b.recordRequest();
        millis.set(10_500); // set back by 10 s: the bucket that shares its slot with the one just counted
        for (int i = 0; i < 100; i++) b.recordRequest();
        assertThat(b.snapshot().requests()).isEqualTo(200);
    }

    @Test
    @Timeout(60)
    void retriesNeverExceedTheBudgetUnderConcurrentUse() throws Exception {
        long seed = ConcurrentRun.seed("RetryBudgetTest");
        AtomicLong granted = new AtomicLong();
        AtomicLong recorded = new AtomicLong();
        ConcurrentRun.run(8, seed, random -> {
            for (int i = 0; i < 5_000; i++) {
                if (random.nextInt(4) == 0) {
                    if (budget.tryRetry()) granted.incrementAndGet();
                } else {
                    budget.recordRequest();
                    recorded.incrementAndGet();
                }
            }
        });
        // the clock stood still: every request is in the window, and each grant was within the budget of its moment
        long allowed = Math.max(10, (long) Math.floor(0.2 * recorded.get()));
        assertThat(granted.get()).as("seed %d", seed).isPositive().isLessThanOrEqualTo(allowed);
        assertThat(budget.snapshot()).isEqualTo(new RetryBudgetSnapshot(recorded.get(), granted.get(), allowed));
    }

    @Test
    void configsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new RetryBudgetConfig(1.5, 10, Duration.ofSeconds(10), 10))
                .hasMessageContaining("ratio");
        assertThatThrownBy(() -> new RetryBudgetConfig(0.2, -1, Duration.ofSeconds(10), 10))
                .hasMessageContaining("minRetries");
        assertThatThrownBy(() -> new RetryBudgetConfig(0.2, 10, Duration.ofMillis(5), 10))
                .hasMessageContaining("window");
    }
}
