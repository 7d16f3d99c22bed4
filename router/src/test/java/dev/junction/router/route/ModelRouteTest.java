package dev.junction.router.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.router.capacity.CapacityContract;
import dev.junction.router.capacity.ContractLimits;
import dev.junction.router.capacity.InMemoryContractStore;
import dev.junction.router.config.Contract;
import dev.junction.router.config.Price;
import dev.junction.router.config.Strategy;
import dev.junction.router.config.SupplierConfig;
import dev.junction.router.config.Timeouts;
import dev.junction.router.health.Breaker;
import dev.junction.router.health.BreakerConfig;
import dev.junction.router.health.BreakerState;
import dev.junction.router.health.LatencyConfig;
import dev.junction.router.health.LatencyTracker;
import dev.junction.router.health.RetryBudget;
import dev.junction.router.health.RetryBudgetConfig;
import dev.junction.openai.CompletionUsage;
import dev.junction.openai.relay.Endpoint;
import dev.junction.openai.relay.AnswerSink;
import dev.junction.router.remote.RemoteSupplier;
import dev.junction.router.strategy.RoutingStrategy;
import dev.junction.router.upstream.UpstreamClient;
import dev.junction.testkit.upstream.FakeUpstream;
import dev.junction.testkit.upstream.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The attempt loop over two real fake upstreams: failover before the answer, an error event after, capacity. */
class ModelRouteTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(10));
    final FakeUpstream a = FakeUpstream.start();
    final FakeUpstream b = FakeUpstream.start();
    final UpstreamClient client = new UpstreamClient(TIMEOUTS);
    final InstantSource clock = InstantSource.system();

    @AfterEach
    void close() {
        client.close();
        a.close();
        b.close();
    }

    /** What the client was sent, in order. */
    static class Recorded implements AnswerSink {
        final List<String> calls = new ArrayList<>();

        @Override
        public void attempt(String supplier, int attempts) {
        }

        @Override
        public void begin(String supplier, int attempts) {
            calls.add("begin " + supplier + " " + attempts);
        }

        @Override
        public void event(String data) {
            calls.add("event");
        }

        @Override
        public void flush() {
        }

        @Override
        public void endStream() {
            calls.add("done");
        }

        @Override
        public void body(byte[] json) {
            calls.add("body");
        }

        @Override
        public void fail(int status, String code, String message, Duration retryAfter) {
            calls.add("fail " + status + (retryAfter != null ? " retry-after" : ""));
        }

        final List<CompletionUsage> usages = new ArrayList<>();

        @Override
        public void usage(CompletionUsage usage) {
            usages.add(usage);
        }
    }

    /** A sink whose client leaves after {@code events} events: the next write throws, as HttpAnswer's does. */
    static final class Leaving extends Recorded {
        private int left;

        Leaving(int events) {
            this.left = events;
        }

        @Override
        public void event(String data) {
            if (left-- == 0) throw new IllegalStateException("the client went away");
            super.event(data);
        }
    }

    Deployment deployment(int index, FakeUpstream up, int tier, ContractLimits limits) {
        RemoteSupplier supplier = RemoteSupplier.of(new SupplierConfig.OpenAi(index == 0 ? "a" : "b",
                up.openAiBaseUri(), Optional.empty(), Contract.UNLIMITED, Price.FREE, Map.of(), TIMEOUTS));
        return new Deployment(index, supplier, client, "up-model", tier, 1, Price.FREE,
                new Breaker(BreakerConfig.defaults(), clock),
                new CapacityContract("d" + index, limits, new InMemoryContractStore(), clock),
                new LatencyTracker(LatencyConfig.defaults()));
    }

    ModelRoute route(Deployment... deployments) {
        return route(RetryBudgetConfig.defaults(), deployments);
    }

    ModelRoute route(RetryBudgetConfig budget, Deployment... deployments) {
        return new ModelRoute("llama", List.of(deployments), RoutingStrategy.create(Strategy.PRIORITY, new Random(1)),
                new RetryBudget(budget, clock), clock, Duration.ofSeconds(20));
    }

    static ObjectNode chat(boolean stream) throws Exception {
        return (ObjectNode) JSON.readTree("{\"model\":\"llama\",\"max_tokens\":4,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}");
    }

    @Test
    void aStreamPassesChunkByChunkAndIsMeteredWithoutShowingTheUsageChunk() throws Exception {
        Recorded sink = new Recorded();
        RouteOutcome outcome = route(deployment(0, a, 1, ContractLimits.unlimited()),
                deployment(1, b, 2, ContractLimits.unlimited())).route(Endpoint.CHAT, chat(true), sink);
        assertThat(sink.calls.getFirst()).isEqualTo("begin a 1");
        assertThat(sink.calls.getLast()).isEqualTo("done");
        assertThat(sink.calls).filteredOn("event"::equals).hasSizeGreaterThanOrEqualTo(4);
        assertThat(outcome.answered()).isTrue();
        assertThat(outcome.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(4));
        assertThat(b.requestsReceived()).isZero();
    }

    @Test
    void aFailureBeforeTheAnswerIsRetriedOnTheNextDeployment() throws Exception {
        a.fault(Fault.http(500));
        Recorded sink = new Recorded();
        RouteOutcome outcome = route(deployment(0, a, 1, ContractLimits.unlimited()),
                deployment(1, b, 2, ContractLimits.unlimited())).route(Endpoint.CHAT, chat(false), sink);
        assertThat(sink.calls).containsExactly("begin b 2", "body");
        assertThat(outcome.attempts()).isEqualTo(2);
    }

    @Test
    void aStreamCutAfterItBeganEndsWithAnErrorAndIsNeverReplayed() throws Exception {
        a.fault(Fault.cutAfter(2));
        Recorded sink = new Recorded();
        RouteOutcome outcome = route(deployment(0, a, 1, ContractLimits.unlimited()),
                deployment(1, b, 2, ContractLimits.unlimited())).route(Endpoint.CHAT, chat(true), sink);
        assertThat(sink.calls.getFirst()).isEqualTo("begin a 1");
        assertThat(sink.calls.getLast()).isEqualTo("fail 502");
        assertThat(sink.calls).doesNotContain("done");
        assertThat(outcome.answered()).isFalse();
        assertThat(b.requestsReceived()).isZero();
        assertThat(sink.usages).as("what was generated until the cut is reported for metering").singleElement()
                .satisfies(u -> assertThat(u.completionTokens()).isEqualTo(sink.calls.stream()
                        .filter("event"::equals).count()));
    }

    @Test
    void aStreamTheClientCutReportsTheTokensPassedOnUntilThen() throws Exception {
        a.fault(Fault.stallAfter(3)); // the upstream would go on; the client leaves first
        Leaving sink = new Leaving(2);
        var route = route(deployment(0, a, 1, ContractLimits.unlimited()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> route.route(Endpoint.CHAT, chat(true), sink))
                .isInstanceOf(IllegalStateException.class);
        assertThat(sink.usages).singleElement().satisfies(u -> {
            assertThat(u.completionTokens()).isEqualTo(2);
            assertThat(u.promptTokens()).isPositive();
        });
    }

    @Test
    void aCompleteStreamReportsTheSuppliersOwnCount() throws Exception {
        Recorded sink = new Recorded();
        route(deployment(0, a, 1, ContractLimits.unlimited())).route(Endpoint.CHAT, chat(true), sink);
        assertThat(sink.usages).singleElement().satisfies(u -> assertThat(u.completionTokens()).isEqualTo(4));
    }

    @Test
    void theSuppliersRefusalOfTheRequestIsPassedOnNotRetried() throws Exception {
        a.fault(Fault.http(400));
        Recorded sink = new Recorded();
        route(deployment(0, a, 1, ContractLimits.unlimited()), deployment(1, b, 2, ContractLimits.unlimited()))
                .route(Endpoint.CHAT, chat(false), sink);
        assertThat(sink.calls).containsExactly("fail 400");
        assertThat(b.requestsReceived()).isZero();
    }

    @Test
    void whenEveryDeploymentIsFullTheAnswerIs429WithARetryAfter() throws Exception {
        ModelRoute r = route(deployment(0, a, 1, ContractLimits.unlimited().withRpm(1)));
        Recorded first = new Recorded(), second = new Recorded();
        r.route(Endpoint.CHAT, chat(false), first);
        r.route(Endpoint.CHAT, chat(false), second);
        assertThat(first.calls).containsExactly("begin a 1", "body");
        assertThat(second.calls).containsExactly("fail 429 retry-after");
        assertThat(a.requestsReceived()).isEqualTo(1);
    }

    @Test
    void aFailingDeploymentsBreakerOpensAndItReceivesNothingMore() throws Exception {
        a.fault(Fault.http(503));
        Deployment failing = deployment(0, a, 1, ContractLimits.unlimited());
        ModelRoute r = route(failing, deployment(1, b, 2, ContractLimits.unlimited()));
        for (int i = 0; i < 12; i++) {
            Recorded sink = new Recorded();
            r.route(Endpoint.CHAT, chat(false), sink);
            assertThat(sink.calls).endsWith("body");
        }
        assertThat(failing.breaker().state()).isEqualTo(BreakerState.OPEN);
        assertThat(a.requestsReceived()).isEqualTo(BreakerConfig.defaults().consecutiveFailures());
        assertThat(b.requestsReceived()).isEqualTo(12);
    }

    @Test
    void withNoDeploymentUsableTheAnswerIs503() throws Exception {
        a.fault(Fault.http(503));
        Deployment only = deployment(0, a, 1, ContractLimits.unlimited());
        ModelRoute r = route(only);
        for (int i = 0; i < BreakerConfig.defaults().consecutiveFailures(); i++) r.route(Endpoint.CHAT, chat(false),
                new Recorded());
        Recorded sink = new Recorded();
        r.route(Endpoint.CHAT, chat(false), sink);
        assertThat(sink.calls).containsExactly("fail 503");
    }

    @Test
    void anEmptyRetryBudgetMeansNoFailover() throws Exception {
        a.fault(Fault.http(500));
        Recorded sink = new Recorded();
        route(new RetryBudgetConfig(0, 0, Duration.ofSeconds(10), 10), deployment(0, a, 1, ContractLimits.unlimited()),
                deployment(1, b, 2, ContractLimits.unlimited())).route(Endpoint.CHAT, chat(false), sink);
        assertThat(sink.calls).containsExactly("fail 502");
        assertThat(b.requestsReceived()).isZero();
    }

    @Test
    void aFailureWithNoOtherDeploymentLeftSpendsNoRetry() throws Exception {
        a.fault(Fault.http(500));
        RetryBudget budget = new RetryBudget(new RetryBudgetConfig(0, 1, Duration.ofSeconds(10), 10), clock);
        ModelRoute alone = new ModelRoute("alone", List.of(deployment(0, a, 1, ContractLimits.unlimited())),
                RoutingStrategy.create(Strategy.PRIORITY, new Random(1)), budget, clock, Duration.ofSeconds(20));
        Recorded failed = new Recorded();
        alone.route(Endpoint.CHAT, chat(false), failed);
        assertThat(failed.calls).containsExactly("fail 502");

        ModelRoute pair = new ModelRoute("pair", List.of(deployment(0, a, 1, ContractLimits.unlimited()),
                deployment(1, b, 2, ContractLimits.unlimited())), RoutingStrategy.create(Strategy.PRIORITY,
                new Random(1)), budget, clock, Duration.ofSeconds(20));
        Recorded failedOver = new Recorded();
        pair.route(Endpoint.CHAT, chat(false), failedOver);
        assertThat(failedOver.calls).containsExactly("begin b 2", "body"); // the one retry was still there
    }

    @Test
    void underConcurrentLoadWithFaultsEveryRequestEndsExactlyOnce() throws Exception {
        a.fault(Fault.http(500)).times(20);
        Deployment first = deployment(0, a, 1, ContractLimits.unlimited().withMaxConcurrent(4));
        Deployment second = deployment(1, b, 2, ContractLimits.unlimited().withMaxConcurrent(8));
        ModelRoute r = route(first, second);
        List<Recorded> sinks = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 300; i++) {
                boolean stream = i % 2 == 0;
                if (i == 150) a.fault(Fault.cutAfter(2)); // from here on, tier 1 cuts its streams and plain answers
                pool.submit(() -> {
                    Recorded sink = new Recorded();
                    sinks.add(sink);
                    r.route(Endpoint.CHAT, chat(stream), sink);
                    return null;
                });
            }
        }
        assertThat(sinks).hasSize(300).allSatisfy(sink -> {
            List<String> ends = sink.calls.stream().filter(c -> c.equals("done") || c.equals("body")
                    || c.startsWith("fail")).toList();
            assertThat(ends).as("%s", sink.calls).hasSize(1);
            assertThat(sink.calls.getLast()).isEqualTo(ends.getFirst());
            assertThat(sink.calls.stream().filter(c -> c.startsWith("begin")).count()).isLessThanOrEqualTo(1);
        });
        assertThat(first.contract.snapshot().inFlight()).isZero();
        assertThat(second.contract.snapshot().inFlight()).isZero();
        assertThat(first.inFlight.get() + second.inFlight.get()).isZero();
    }
}
