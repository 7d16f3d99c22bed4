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
