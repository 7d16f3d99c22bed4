package dev.junction.router.route;

import dev.junction.inference.Usage;
import dev.junction.router.config.Price;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one deployment did, for {@code /metrics} (tagged {@code model} and {@code supplier}) and for the admin view:
 * attempts by outcome, time to first token and whole-attempt latency histograms, tokens and spend.
 */
public final class DeploymentMeters {
    /** How one attempt on the deployment ended. */
    public enum Outcome {
        SUCCESS, FAILED_BEFORE_ANSWER, FAILED_DURING_ANSWER, REFUSED, CLIENT_GONE;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Histogram buckets: from a fast proxy hop to a long generation. */
    private static final Duration[] BUCKETS = java.util.stream.Stream.of(1, 5, 10, 25, 50, 100, 250, 500, 1000,
            2500, 5000, 10_000, 30_000, 60_000, 300_000).map(Duration::ofMillis).toArray(Duration[]::new);

    private final Tags tags;
    private final Price price;
    private final Timer firstToken;
    private final Timer duration;
    private final Counter promptTokens;
    private final Counter completionTokens;
    private final Counter spend;
    private final java.util.EnumMap<Outcome, Counter> requests = new java.util.EnumMap<>(Outcome.class);
    private final LongAdder attempts = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder prompt = new LongAdder();
    private final LongAdder completion = new LongAdder();

    public DeploymentMeters(MeterRegistry registry, String model, String supplier, Price price) {
        this.tags = Tags.of("model", model, "supplier", supplier);
        this.price = price;
        this.firstToken = Timer.builder("junction.router.time.to.first.token")
                .description("From sending a request to a supplier to its first answer byte")
                .tags(tags).serviceLevelObjectives(BUCKETS).register(registry);
        this.duration = Timer.builder("junction.router.attempt.duration")
                .description("Whole attempts on a supplier, by how they ended")
                .tags(tags).serviceLevelObjectives(BUCKETS).register(registry);
        this.promptTokens = Counter.builder("junction.router.tokens").description("Tokens metered, by kind")
                .tags(tags).tag("kind", "prompt").register(registry);
        this.completionTokens = Counter.builder("junction.router.tokens").description("Tokens metered, by kind")
                .tags(tags).tag("kind", "completion").register(registry);
        for (Outcome o : Outcome.values()) {
            requests.put(o, Counter.builder("junction.router.requests")
                    .description("Attempts on a supplier, by how they ended")
                    .tags(tags).tag("outcome", o.tag()).register(registry));
        }
        this.spend = Counter.builder("junction.router.spend").description("What the tokens cost, by the price list")
                .baseUnit("usd").tags(tags).register(registry);
    }

    /** For tests that do not look at meters. */
    public static DeploymentMeters none(String model, String supplier) {
        return new DeploymentMeters(new SimpleMeterRegistry(), model, supplier, Price.FREE);
    }

    public Tags tags() {
        return tags;
    }

    void firstToken(long nanos) {
        firstToken.record(Duration.ofNanos(nanos));
    }

    void attempt(Outcome outcome, long nanos) {
        attempts.increment();
        if (outcome == Outcome.FAILED_BEFORE_ANSWER || outcome == Outcome.FAILED_DURING_ANSWER) failures.increment();
        requests.get(outcome).increment();
        duration.record(Duration.ofNanos(nanos));
    }

    void usage(Usage usage) {
        prompt.add(usage.promptTokens());
        completion.add(usage.completionTokens());
        promptTokens.increment(usage.promptTokens());
        completionTokens.increment(usage.completionTokens());
        spend.increment(spendOf(usage.promptTokens(), usage.completionTokens()));
    }

    private double spendOf(long promptCount, long completionCount) {
        return (promptCount * price.input() + completionCount * price.output()) / 1_000_000.0;
    }

    /** Attempts so far, failed ones, tokens and spend, for the admin view. */
    public Totals totals() {
        long p = prompt.sum();
        long c = completion.sum();
        return new Totals(attempts.sum(), failures.sum(), p, c, spendOf(p, c));
    }

    public record Totals(long attempts, long failures, long promptTokens, long completionTokens, double spendUsd) {
        public double errorRate() {
            return attempts == 0 ? 0 : (double) failures / attempts;
        }
    }
}
