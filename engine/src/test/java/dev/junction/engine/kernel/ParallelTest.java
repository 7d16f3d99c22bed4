package dev.junction.engine.kernel;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelTest {
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3, 4})
    void everyIndexIsVisitedExactlyOnceInManySuccessiveLoops(int threads) {
        try (Parallel parallel = new Parallel(threads)) {
            for (int loop = 0; loop < 3000; loop++) {
                int n = 1 + loop % 97;
                AtomicIntegerArray visits = new AtomicIntegerArray(n);
                parallel.forRange(n, 1 + loop % 5, (from, to) -> {
                    for (int i = from; i < to; i++) visits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertThat(visits.get(i)).as("loop %d index %d", loop, i).isEqualTo(1);
            }
        }
    }

    /**
     * Loops of a few chunks each, back to back, as a forward pass runs them: no body ever runs once its loop has
     * returned (a worker that took one loop's body with the next loop's tickets would, and miss indices of the next).
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 3})
    void noBodyRunsAfterItsLoopReturned(int threads) {
        java.util.concurrent.atomic.AtomicInteger late = new java.util.concurrent.atomic.AtomicInteger();
        try (Parallel parallel = new Parallel(threads)) {
            for (int loop = 0; loop < 50_000; loop++) {
                boolean[] open = {true};
                AtomicIntegerArray visits = new AtomicIntegerArray(4);
                parallel.forRange(4, 1, (from, to) -> {
                    if (!open[0]) late.incrementAndGet();
                    for (int i = from; i < to; i++) visits.incrementAndGet(i);
                });
                open[0] = false;
                for (int i = 0; i < 4; i++) assertThat(visits.get(i)).as("loop %d index %d", loop, i).isEqualTo(1);
            }
        }
        assertThat(late.get()).isZero();
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 4})
    void anExceptionInABodyReachesTheCallerAndThePoolStaysUsable(int threads) {
        try (Parallel parallel = new Parallel(threads)) {
            assertThatThrownBy(() -> parallel.forRange(100, 1, (from, to) -> {
                if (from <= 50 && 50 < to) throw new IllegalStateException("boom");
            })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            int[] sum = new int[1];
            parallel.forRange(10, 10, (from, to) -> sum[0] += to - from);
            assertThat(sum[0]).isEqualTo(10);
        }
    }
}
