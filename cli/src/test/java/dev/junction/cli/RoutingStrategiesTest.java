package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.cli.RoutedServe.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.junction.cli.RoutedServe.bySupplier;
import static dev.junction.cli.RoutedServe.concurrently;
import static dev.junction.cli.RoutedServe.model;
import static dev.junction.cli.RoutedServe.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The routing strategies over three real {@code junction serve} processes, suppliers {@code s0}, {@code s1} and
 * {@code s2} of a router started in-process; requests are counted by the supplier that answered them (the
 * {@code x-junction-supplier} header). Where a supplier must stay busy however fast the machine is, its process is
 * paused (SIGSTOP): the requests it has taken stay in flight until it is resumed, and then they are answered.
 */
class RoutingStrategiesTest {
    private static final String PROMPT = "Once upon a time";

    @TempDir
    static Path dir;
    static SupplierProcesses processes;

    @BeforeAll
    static void startSuppliers() throws Exception {
        processes = SupplierProcesses.start(3, dir);
    }

    @AfterAll
    static void stopSuppliers() {
        if (processes != null) processes.close();
    }

    @Test
    void weightedSplitsSixHundredRequestsWithinFivePercentOfTheWeights() throws Exception {
        // Skewed weights keep the binomial spread small: a correct router misses by more than 5 % of 600 (30
        // requests) about once in 2,000 runs (the 85 % share's standard deviation is 8.7 requests).
        int[] weights = {1, 2, 17};
        try (RoutedServe serve = route("weighted", suppliers("", "", ""), model("w", "weighted",
                "{supplier: s0, weight: 1}", "{supplier: s1, weight: 2}", "{supplier: s2, weight: 17}"))) {
            List<Answer> answers = concurrently(600, 8, i -> ok(serve.complete("w", PROMPT, 1, false).join()));

            Map<String, Long> counts = bySupplier(answers);
            System.out.println("weighted 1:2:17, 600 requests: " + counts);
            assertThat(answers).hasSize(600);
            for (int i = 0; i < 3; i++) {
                assertThat(counts.getOrDefault("s" + i, 0L) / 600.0).as("share of s%d", i)
                        .isCloseTo(weights[i] / 20.0, within(0.05));
            }
        }
    }

    @Test
    void leastBusyShiftsLoadAwayFromASupplierThatStalls() throws Exception {
        int clients = 12;
        try (RoutedServe serve = route("least-busy", suppliers("", "", ""), model("lb", "least-busy",
                "{supplier: s0}", "{supplier: s1}", "{supplier: s2}"));
             ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            Queue<Answer> before = new ConcurrentLinkedQueue<>(), whilePaused = new ConcurrentLinkedQueue<>();
            AtomicBoolean paused = new AtomicBoolean(), stop = new AtomicBoolean();
            AtomicInteger done = new AtomicInteger(), doneWhilePaused = new AtomicInteger();
            List<Future<Integer>> loops = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                loops.add(pool.submit(() -> {
                    int sent = 0;
                    while (!stop.get()) {
                        boolean duringPause = paused.get(); // read before sending: the pause had begun
                        Answer a = ok(serve.complete("lb", PROMPT, 2, false).join());
                        (duringPause ? whilePaused : before).add(a);
                        done.incrementAndGet();
                        if (duringPause && paused.get()) doneWhilePaused.incrementAndGet();
                        sent++;
                    }
                    return sent;
                }));
            }
            try {
                awaitCount(done, 60, loops);
                processes.pause(2);
                paused.set(true);
                try {
                    awaitCount(doneWhilePaused, 120, loops);
                } finally {
                    paused.set(false);
                    processes.resume(2);
                }
            } finally {
                stop.set(true);
            }
            int sent = 0;
            for (Future<Integer> loop : loops) sent += loop.get();

            Map<String, Long> during = bySupplier(whilePaused);
            System.out.println("least-busy, " + clients + " clients: before the pause " + bySupplier(before)
                    + ", sent while s2 was paused " + during);
            assertThat(before.size() + whilePaused.size()).isEqualTo(sent);
            assertThat(during.getOrDefault("s2", 0L)).as("s2's share while paused, a fair share being a third")
                    .isLessThan(whilePaused.size() / 6);
            assertThat(whilePaused.size() - during.getOrDefault("s2", 0L)).isGreaterThanOrEqualTo(120);
        }
    }

    @Test
    void prioritySpillsOverWhenTierOneIsFullAndReturnsWhenItFrees() throws Exception {
        try (RoutedServe serve = route("priority", suppliers("max_concurrent: 2", "", ""), model("p", "priority",
                "{supplier: s0, tier: 1}", "{supplier: s1, tier: 2}", "{supplier: s2, tier: 3}"))) {
            assertThat(sequentially(serve, "p", 5)).containsOnlyKeys("s0");

            List<Answer> spilled = whileHeld(serve, "p", 0, "s0", 2,
                    () -> concurrently(6, 6, i -> ok(serve.complete("p", PROMPT, 16, false).join())));

            assertThat(bySupplier(spilled)).as("tier 1 full: tier 2 takes all, tier 3 nothing")
                    .containsOnlyKeys("s1");
            Map<String, Long> after = sequentially(serve, "p", 5);
            System.out.println("priority: while s0's 2 slots were held " + bySupplier(spilled) + ", then " + after);
            assertThat(after).containsOnlyKeys("s0");
        }
    }

    @Test
    void costPicksTheCheapestDeploymentWithRoom() throws Exception {
        try (RoutedServe serve = route("cost", suppliers("price: {input: 0.30, output: 1.20}",
                "price: {input: 1.00, output: 4.00}", "price: {input: 0.10, output: 0.40}, max_concurrent: 2"),
                model("c", "cost", "{supplier: s0}", "{supplier: s1}", "{supplier: s2}"))) {
            assertThat(sequentially(serve, "c", 10)).as("the cheapest").containsOnlyKeys("s2");

            List<Answer> next = whileHeld(serve, "c", 2, "s2", 2,
                    () -> concurrently(6, 6, i -> ok(serve.complete("c", PROMPT, 16, false).join())));

            assertThat(bySupplier(next)).as("the cheapest full: the next cheapest").containsOnlyKeys("s0");
            Map<String, Long> after = sequentially(serve, "c", 5);
            System.out.println("cost: while s2's 2 slots were held " + bySupplier(next) + ", then " + after);
            assertThat(after).containsOnlyKeys("s2");
        }
    }

    @Test
    void prefixKeepsASharedSystemPromptOnOneSupplierWhileDistinctPromptsSpread() throws Exception {
        String system = "You tell short, gentle stories to small children. The stories are about a little girl "
                + "named Lily, her brown dog Max and the big green park near her house, where they play with a red "
                + "ball, look at the ducks on the pond and have a picnic under a tall tree with their friends Tom "
                + "and Sue. Every story has a happy end and is told in simple words.";
        try (RoutedServe serve = route("prefix", suppliers("", "", ""), model("x", "prefix",
                "{supplier: s0}", "{supplier: s1}", "{supplier: s2}"))) {
            double[] hitsBefore = prefixHitTokens();
            List<Answer> shared = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                shared.add(ok(serve.chat("x", system, "Tell me story number " + i + ".", 2).join()));
            }
            double[] hits = prefixHitTokens();
            for (int i = 0; i < hits.length; i++) hits[i] -= hitsBefore[i];
            List<Answer> distinct = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                distinct.add(ok(serve.chat("x", "Story " + i + ". " + system, "Tell me a story.", 2).join()));
            }

            SortedMap<String, Long> held = bySupplier(shared);
            long reused = shared.stream().skip(1).mapToLong(a -> usage(a).path("prompt_tokens_details")
                    .path("cached_tokens").asLong()).sum();
            System.out.printf("prefix: a system prompt of %d tokens, 12 requests %s, %d prompt tokens reused, "
                            + "prefix-cache hit tokens on s0..s2 %+.0f %+.0f %+.0f; distinct system prompts %s%n",
                    usage(shared.getFirst()).path("prompt_tokens").asInt(), held, reused, hits[0], hits[1], hits[2],
                    bySupplier(distinct));
            assertThat(held).hasSize(1);
            int holder = Integer.parseInt(held.firstKey().substring(1));
            assertThat(reused).as("each later request reuses the system prompt (at least four 16-token blocks)")
                    .isGreaterThanOrEqualTo(11 * 64);
            assertThat(hits[holder]).as("the holder's junction_prefix_cache_hit_tokens_total")
                    .isGreaterThanOrEqualTo(reused);
            assertThat(bySupplier(distinct)).as("distinct prompts spread").hasSizeGreaterThanOrEqualTo(2);
        }
    }

    /** The router for one test, over the three processes. */
    private static RoutedServe route(String name, String suppliers, String models) throws Exception {
        return RoutedServe.start(dir.resolve(name), suppliers + models);
    }

    /** The three processes as suppliers {@code s0}, {@code s1}, {@code s2}, each with its own terms. */
    private static String suppliers(String... terms) {
        return RoutedServe.suppliers(processes, terms);
    }

    /** {@code n} requests one after the other, counted by supplier. */
    private static Map<String, Long> sequentially(RoutedServe serve, String model, int n) {
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) answers.add(serve.completeOk(model, PROMPT, 2));
        return bySupplier(answers);
    }

    /**
     * Holds {@code slots} requests in flight on {@code supplier} (its process paused while they are sent), runs
     * {@code whileFull}, then resumes the process; those requests must then be answered, by that supplier.
     */
    private static <T> T whileHeld(RoutedServe serve, String model, int process, String supplier, int slots,
                                   Callable<T> whileFull) throws Exception {
        List<CompletableFuture<Answer>> held = new ArrayList<>();
        T result;
        processes.pause(process);
        try {
            for (int i = 0; i < slots; i++) held.add(serve.complete(model, PROMPT, 4, false));
            serve.await(model, supplier, slots + " in flight", Duration.ofSeconds(30), d -> d.inFlight() == slots);
            result = whileFull.call();
            assertThat(serve.deployment(model, supplier).inFlight()).as("still held").isEqualTo(slots);
        } finally {
            processes.resume(process);
        }
        for (CompletableFuture<Answer> f : held) assertThat(ok(f.join()).supplier()).isEqualTo(supplier);
        return result;
    }

    /** Waits until {@code count} reaches {@code target}, failing if a loop ends first or it takes too long. */
    private static void awaitCount(AtomicInteger count, int target, List<Future<Integer>> loops)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (count.get() < target) {
            for (Future<Integer> loop : loops) if (loop.isDone()) loop.get(); // it failed: show why
            assertThat(System.nanoTime()).as("%d of %d answers", count.get(), target).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static JsonNode usage(Answer a) {
        return a.json().path("usage");
    }

    /** Each process's prefix-cache hit tokens so far. */
    private static double[] prefixHitTokens() throws Exception {
        double[] hits = new double[processes.count()];
        for (int i = 0; i < hits.length; i++) hits[i] = processes.counter(i, "junction_prefix_cache_hit_tokens_total");
        return hits;
    }
}
