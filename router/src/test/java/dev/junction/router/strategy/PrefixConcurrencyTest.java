package dev.junction.router.strategy;

import dev.junction.router.ConcurrentRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads order and record requests on one prefix strategy at once, over a small memory that keeps forgetting:
 * every order is a whole permutation with room first, and the memory never holds more than its bound. The seed is
 * printed; rerun one with {@code -Djunction.seed=N}.
 */
class PrefixConcurrencyTest {
    static final int THREADS = 8;
    static final int STEPS = 2_000;
    static final int MEMORY = 2_000;

    @Test
    @Timeout(60)
    void orderingAndRecordingAtOnceKeepsTheMemoryBoundedAndTheOrdersWhole() throws Exception {
        long seed = ConcurrentRun.seed("PrefixConcurrencyTest");
        PrefixStrategy strategy = new PrefixStrategy(new Random(seed), new PrefixSettings(64, 256, MEMORY, 1.0 / 3));
        List<String> systems = new ArrayList<>();
        Random text = new Random(seed);
        for (int i = 0; i < 20; i++) systems.add(randomText(text, 64 * (1 + text.nextInt(40))));
        AtomicInteger largestSeen = new AtomicInteger();

        ConcurrentRun.run(THREADS, seed, random -> {
            for (int step = 0; step < STEPS; step++) {
                String prompt = systems.get(random.nextInt(systems.size())) + randomText(random, random.nextInt(300));
                RouteRequest request = StrategyTesting.prompt(prompt);
                List<Candidate> candidates = new ArrayList<>();
                for (int d = 0; d < 4; d++) {
                    candidates.add(candidate(d).maxConcurrent(8).inFlight(random.nextInt(9)).build());
                }
                List<Candidate> order = strategy.order(request, candidates);
                assertThat(order).containsExactlyInAnyOrderElementsOf(candidates);
                int withRoom = (int) candidates.stream().filter(c -> c.hasRoomFor(request)).count();
                assertThat(order.subList(0, withRoom)).allMatch(c -> c.hasRoomFor(request));
                if (withRoom > 0) strategy.recordRoute(request, order.getFirst());
                largestSeen.accumulateAndGet(strategy.rememberedBlocks(), Math::max);
            }
        });

        assertThat(largestSeen.get()).isLessThanOrEqualTo(MEMORY);
        assertThat(strategy.rememberedBlocks()).isEqualTo(MEMORY);
    }

    static String randomText(Random random, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) s.append((char) ('a' + random.nextInt(26)));
        return s.toString();
    }
}
