package dev.junction.server;

import dev.junction.inference.Completion;
import dev.junction.inference.InferenceService;
import dev.junction.inference.ServiceStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.ToDoubleFunction;

/**
 * The server's meters: HTTP requests by route and status, the serving core's gauges and counters (read from
 * {@link InferenceService#stats()} at scrape time), and per-generation token figures — prompt and generated tokens,
 * time to first token, inter-token latency and decode speed. Names start with {@code junction_} in Prometheus.
 */
final class ServerMetrics {
    private static final double[] PERCENTILES = {0.5, 0.9, 0.99};

    private final MeterRegistry registry;
    private final InstantSource clock;
    private final Counter clientDisconnects;

    ServerMetrics(MeterRegistry registry, InferenceService service, InstantSource clock) {
        this.registry = registry;
        this.clock = clock;
        this.clientDisconnects = Counter.builder("junction.client.disconnects")
                .description("Streams whose client went away; their generations were cancelled")
                .register(registry);
        gauge("junction.queue.depth", "Requests waiting to be admitted", service, ServiceStats::queued);
        gauge("junction.sequences.running", "Sequences being prefilled or decoded", service, ServiceStats::running);
        gauge("junction.kv.blocks.used", "KV-cache blocks held", service, ServiceStats::kvBlocksUsed);
        gauge("junction.kv.blocks.free", "KV-cache blocks free", service, s -> s.kvBlocksTotal() - s.kvBlocksUsed());
        gauge("junction.kv.window.blocks.used", "KV-cache blocks of sliding-window layers held", service,
                ServiceStats::windowBlocksUsed);
        gauge("junction.kv.window.blocks.free", "KV-cache blocks of sliding-window layers free", service,
                s -> s.windowBlocksTotal() - s.windowBlocksUsed());
        counter("junction.prefix.cache.query.tokens", "Prompt tokens looked up in the prefix cache", service,
                ServiceStats::prefixQueryTokens);
        counter("junction.prefix.cache.hit.tokens", "Prompt tokens found in the prefix cache", service,
                ServiceStats::prefixHitTokens);
        counter("junction.preemptions", "Sequences preempted for lack of KV blocks", service,
                ServiceStats::preemptions);
        counter("junction.cancellations", "Generations cancelled before they finished", service,
                ServiceStats::cancellations);
    }

    Instant now() {
        return clock.instant();
    }

    /** One HTTP request; {@code route} is the route template, or {@code unmatched}. */
    void request(String method, String route, int status, Duration duration) {
        Timer.builder("junction.http.requests")
                .description("HTTP requests by route and status")
                .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
                .register(registry)
                .record(duration);
    }

    void clientDisconnected() {
        clientDisconnects.increment();
    }

    /** Starts timing one generation, from the moment it is requested (queue time counts toward the first token). */
    GenerationTimer generation(String model) {
        return new GenerationTimer(model, clock.instant());
    }

    /** Called from the service's thread: records without blocking. */
    final class GenerationTimer {
        private final String model;
        private final Instant start;
        private Instant first;
        private Instant last;

        private GenerationTimer(String model, Instant start) {
            this.model = model;
            this.start = start;
        }

        void token() {
            Instant now = clock.instant();
            if (first == null) {
                first = now;
                timer("junction.time.to.first.token", "From request to first generated token")
                        .record(Duration.between(start, now));
            } else {
                timer("junction.inter.token.latency", "Between consecutive generated tokens of one sequence")
                        .record(Duration.between(last, now));
            }
            last = now;
        }

        void complete(Completion completion) {
            var usage = completion.usage();
            Counter.builder("junction.prompt.tokens").description("Prompt tokens of generations")
                    .tag("model", model).register(registry).increment(usage.promptTokens());
            Counter.builder("junction.generation.tokens").description("Tokens generated")
                    .tag("model", model).register(registry).increment(usage.completionTokens());
            if (first != null && last.isAfter(first) && usage.completionTokens() > 1) {
                double seconds = Duration.between(first, last).toNanos() / 1e9;
                DistributionSummary.builder("junction.generation.speed")
                        .description("Tokens per second of each sequence after its first token")
                        .baseUnit("tokens.per.second").tag("model", model)
                        .publishPercentiles(PERCENTILES)
                        .register(registry)
                        .record((usage.completionTokens() - 1) / seconds);
            }
        }

        private Timer timer(String name, String description) {
            return Timer.builder(name).description(description).tag("model", model)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry);
        }
    }

    private void gauge(String name, String description, InferenceService service,
                       ToDoubleFunction<ServiceStats> value) {
        Gauge.builder(name, service, s -> value.applyAsDouble(s.stats())).description(description).register(registry);
    }

    private void counter(String name, String description, InferenceService service,
                         ToDoubleFunction<ServiceStats> value) {
        FunctionCounter.builder(name, service, s -> value.applyAsDouble(s.stats())).description(description)
                .register(registry);
    }
}
