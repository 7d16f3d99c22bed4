package dev.junction.cli;

import dev.junction.cli.RoutedCalls.Ask;
import dev.junction.cli.RoutedCalls.Ending;
import dev.junction.cli.RoutedCalls.Outcome;
import dev.junction.router.SupplierRouter;
import dev.junction.router.SuppliersView;
import dev.junction.router.health.RetryBudgetConfig;
import dev.junction.testkit.upstream.FakeUpstream;
import dev.junction.testkit.upstream.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14's fault load: {@code serve --config} routing one model over two fake upstreams by priority, the first
 * (tier 1, tried first) misbehaving one way per run, on every path, and the second healthy. A few hundred requests,
 * chat and text, plain and streamed, 16 at a time over real HTTP. Every request ends exactly once: answered whole
 * (retried on the healthy supplier when the fault struck before anything reached the client), a stream ended by a
 * clean error event (when it struck after), or an OpenAI error status (when the retry budget was spent); none hangs
 * past the router's deadline. The faulty supplier's breaker opens, and closes once the fault is gone; retries stay
 * within the budget; every permit and reservation is given back.
 */
class RouterFaultLoadTest {
    static final String MODEL = "tiny";
    static final int REQUESTS = 240;
    static final int CONCURRENCY = 16;
    static final int MAX_TOKENS = 4;
    /** The router's deadline for a request: the longest total timeout of the model's suppliers (the healthy one's). */
    static final Duration ROUTER_DEADLINE = Duration.ofSeconds(20);
    static final Duration CLIENT_TIMEOUT = ROUTER_DEADLINE.plusSeconds(30);
    /** The router's retry budget: 20 % of the requests of the last 10 s, and at least 10. */
    static final RetryBudgetConfig BUDGET = RetryBudgetConfig.defaults();

    /** A fault, and whether it strikes after a stream began (then such streams end with an error event). */
    record Case(String name, Fault fault, boolean midStream) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> faults() {
        return Stream.of(
                new Case("500", Fault.http(500), false),
                new Case("429 with Retry-After", Fault.http(429).retryAfter(1), false),
                new Case("accepts and never answers", Fault.neverAnswer(), false),
                new Case("answers after the first-token timeout", Fault.slow(Duration.ofSeconds(3)), false),
                new Case("stalls mid-stream", Fault.stallAfter(2), true),
                new Case("cuts after 2 chunks", Fault.cutAfter(2), true),
                new Case("a malformed chunk", Fault.malformedAfter(2), true),
                new Case("not JSON", Fault.notJson(), false),
                new Case("not HTTP", Fault.notHttp(), false),
                new Case("closes before answering", Fault.closeBeforeAnswer(), false),
                new Case("resets after 2 chunks", Fault.resetAfter(2), true));
    }

    @TempDir
    Path dir;
    FakeUpstream faulty;
    FakeUpstream healthy;
    Serving serving;
    RoutedCalls calls;

    @BeforeEach
    void start() throws Exception {
        faulty = FakeUpstream.start();
        healthy = FakeUpstream.start();
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, """
                suppliers:
                  faulty:
                    kind: openai
                    url: %s
                    timeouts: {connect: 1s, first_token: 2s, idle: 1s, total: 5s}
                    breaker: {failures: 5, cool_down: 1s, max_cool_down: 2s}
                  healthy:
                    kind: openai
                    url: %s
                    max_concurrent: 64
                    timeouts: {connect: 2s, first_token: 10s, idle: 10s, total: %ds}
                models:
                  %s:
                    strategy: priority
                    deployments:
                      - {supplier: faulty, model: up-model, tier: 1}
                      - {supplier: healthy, model: up-model, tier: 2}
                """.formatted(faulty.openAiBaseUri(), healthy.openAiBaseUri(), ROUTER_DEADLINE.toSeconds(), MODEL));
        serving = RouterTestSupport.start(file);
        calls = new RoutedCalls(serving.baseUri(), MODEL, CLIENT_TIMEOUT);
    }

    @AfterEach
    void stop() {
        if (calls != null) calls.close();
        if (serving != null) serving.close();
        faulty.close();
        healthy.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void everyRequestEndsOnceTheBreakerOpensAndClosesAgainAndRetriesStayWithinTheBudget(Case c) throws Exception {
        faulty.fault(c.fault());
        faulty.probeFault(c.fault());
        List<Ending> endings;
        Watch watch = new Watch(RouterTestSupport.router(serving));
        try (watch) {
            endings = run(REQUESTS);
        }
        Map<Outcome, Long> outcomes = endings.stream().collect(Collectors.groupingBy(Ending::outcome,
                () -> new EnumMap<>(Outcome.class), Collectors.counting()));
        int attempts = endings.stream().mapToInt(Ending::attempts).sum();
        long retried = endings.stream().filter(e -> e.attempts() > 1).count();
        long retries = retriesCounted();
        SuppliersView.BreakerView breaker = RouterTestSupport.deployment(serving, "faulty").breaker();
        System.out.printf("%s: %s; attempts %d, retried %d, retries counted %d, budget at most %d of %d allowed "
                        + "(%d samples); faulty breaker: %d transitions, seen %s%n", c, outcomes, attempts, retried,
                retries, watch.mostRetries(), watch.mostAllowed(), watch.budgets.size(), breaker.transitions(),
                watch.faultyStates);

        assertThat(endings).hasSize(REQUESTS);
        assertThat(endings).as("requests that ended another way").filteredOn(e -> e.outcome() == Outcome.BROKEN
                || e.outcome() == Outcome.TIMED_OUT).isEmpty();
        assertThat(outcomes.getOrDefault(Outcome.ANSWERED, 0L) + outcomes.getOrDefault(Outcome.STREAMED, 0L))
                .as("answered whole").isGreaterThanOrEqualTo(REQUESTS / 2);
        if (c.midStream()) assertThat(outcomes).containsKey(Outcome.STREAM_ERROR);
        else assertThat(outcomes).doesNotContainKey(Outcome.STREAM_ERROR);
        assertThat(endings).filteredOn(e -> e.outcome().succeeded()).allSatisfy(e -> {
            assertThat(e.supplier()).isIn("faulty", "healthy");
            assertThat(e.attempts()).isBetween(1, 2);
        });
        assertThat(RouterTestSupport.completionsReceived(faulty, healthy)).as("requests the upstreams received: one each "
                + "attempt").isEqualTo(attempts);

        assertThat(breaker.transitions()).as("the faulty supplier's breaker opened").isPositive();
        assertThat(RouterTestSupport.deployment(serving, "healthy").breaker().transitions())
                .as("the healthy supplier's breaker stayed closed").isZero();

        assertThat(retries).as("retries counted: one each request tried twice").isEqualTo(retried).isPositive();
        assertThat(watch.budgets).allSatisfy(b -> assertThat(b.retries()).isLessThanOrEqualTo(
                Math.max(BUDGET.minRetries(), (long) Math.floor(BUDGET.ratio() * b.requests()))));

        faulty.healthy();
        awaitFaultyBreakerClosed();
        for (int i = 0; i < 12; i++) {
            Ending e = calls.call(Ask.mixed(i, MAX_TOKENS));
            assertThat(e.outcome().succeeded()).as("%s", e).isTrue();
            assertThat(e.supplier()).isEqualTo("faulty");
        }
        assertThat(RouterTestSupport.await(() -> RouterTestSupport.nothingInFlight(serving), Duration.ofSeconds(10)))
                .as("every deployment's requests in flight and contract use back to zero: %s",
                        RouterTestSupport.router(serving).view().deployments()).isTrue();
    }

    /** The requests, {@link #CONCURRENCY} at a time, each as soon as one before it ended. */
    List<Ending> run(int requests) throws Exception {
        List<Future<Ending>> running = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY)) {
            for (int i = 0; i < requests; i++) {
                Ask ask = Ask.mixed(i, MAX_TOKENS);
                running.add(clients.submit(() -> calls.call(ask)));
            }
            List<Ending> endings = new ArrayList<>();
            for (Future<Ending> f : running) endings.add(f.get());
            return endings;
        }
    }

    /** Once the cool-down is over, a probe that finds the supplier well is the trial that closes its breaker. */
    void awaitFaultyBreakerClosed() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!RouterTestSupport.deployment(serving, "faulty").breaker().state().equals("closed")) {
            assertThat(System.nanoTime()).as("the faulty supplier's breaker closes within 30 s").isLessThan(deadline);
            RouterTestSupport.router(serving).probeNow();
            Thread.sleep(100);
        }
    }

    /** {@code junction_router_retries_total} of the model, from {@code /metrics}. */
    long retriesCounted() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String scrape = http.send(HttpRequest.newBuilder(URI.create(serving.baseUri() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String series = "junction_router_retries_total{model=\"" + MODEL + "\"}";
            return scrape.lines().filter(l -> l.startsWith(series)).mapToLong(
                    l -> (long) Double.parseDouble(l.substring(series.length()).strip())).findFirst().orElseThrow();
        }
    }

    /** Samples the router's retry budget and the faulty supplier's breaker while a load runs. */
    static final class Watch implements AutoCloseable {
        final List<SuppliersView.RetryBudgetView> budgets = new CopyOnWriteArrayList<>();
        final Set<String> faultyStates = ConcurrentHashMap.newKeySet();
        private final Thread sampler;
        private volatile boolean done;

        Watch(SupplierRouter router) {
            sampler = Thread.ofVirtual().name("router-watch").start(() -> {
                while (!done) {
                    SuppliersView view = router.view();
                    budgets.add(view.retryBudget());
                    view.deployments().stream().filter(d -> d.supplier().equals("faulty"))
                            .forEach(d -> faultyStates.add(d.breaker().state()));
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        long mostRetries() {
            return budgets.stream().mapToLong(SuppliersView.RetryBudgetView::retries).max().orElse(0);
        }

        long mostAllowed() {
            return budgets.stream().mapToLong(SuppliersView.RetryBudgetView::allowed).max().orElse(0);
        }

        @Override
        public void close() throws InterruptedException {
            done = true;
            sampler.join();
        }
    }
}
