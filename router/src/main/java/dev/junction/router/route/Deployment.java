package dev.junction.router.route;

import dev.junction.router.capacity.CapacityContract;
import dev.junction.router.capacity.ContractSnapshot;
import dev.junction.router.config.Price;
import dev.junction.router.health.Breaker;
import dev.junction.router.health.BreakerSnapshot;
import dev.junction.router.health.LatencyTracker;
import dev.junction.router.remote.RemoteSupplier;
import dev.junction.router.strategy.Candidate;
import dev.junction.router.upstream.UpstreamClient;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One deployment of a public model as the router runs it: which supplier and which of its models, where it stands
 * for the strategies (tier, weight, price), and its live state — breaker, capacity contract, time to first token,
 * requests in flight.
 */
public final class Deployment {
    final int index;
    final String upstreamModel;
    final RemoteSupplier supplier;
    final UpstreamClient client;
    final Breaker breaker;
    final CapacityContract contract;
    final LatencyTracker latency;
    private final int tier;
    private final int weight;
    private final Price price;
    final AtomicInteger inFlight;
    final DeploymentMeters meters;

    public Deployment(int index, RemoteSupplier supplier, UpstreamClient client, String upstreamModel, int tier,
                      int weight, Price price, Breaker breaker, CapacityContract contract, LatencyTracker latency) {
        this(index, supplier, client, upstreamModel, tier, weight, price, breaker, contract, latency,
                new AtomicInteger(), DeploymentMeters.none("model", supplier.name()));
    }

    public Deployment(int index, RemoteSupplier supplier, UpstreamClient client, String upstreamModel, int tier,
                      int weight, Price price, Breaker breaker, CapacityContract contract, LatencyTracker latency,
                      AtomicInteger inFlight, DeploymentMeters meters) {
        this.index = index;
        this.inFlight = inFlight;
        this.meters = meters;
        this.supplier = supplier;
        this.client = client;
        this.upstreamModel = upstreamModel;
        this.tier = tier;
        this.weight = weight;
        this.price = price;
        this.breaker = breaker;
        this.contract = contract;
        this.latency = latency;
    }

    public String supplierName() {
        return supplier.name();
    }

    public Breaker breaker() {
        return breaker;
    }

    public CapacityContract contract() {
        return contract;
    }

    public LatencyTracker latency() {
        return latency;
    }

    public DeploymentMeters meters() {
        return meters;
    }

    public RemoteSupplier supplier() {
        return supplier;
    }

    public String upstreamModel() {
        return upstreamModel;
    }

    public int tier() {
        return tier;
    }

    public int weight() {
        return weight;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /**
     * The same deployment (its breaker, contract, latency, requests in flight and meters: what it has learnt) at a
     * new place in a reloaded configuration.
     */
    public Deployment placed(int newIndex, int newTier, int newWeight) {
        return new Deployment(newIndex, supplier, client, upstreamModel, newTier, newWeight, price, breaker,
                contract, latency, inFlight, meters);
    }

    /** What the strategies see of it now; empty while its breaker is open (it receives nothing then). */
    Optional<Candidate> candidate(InstantSource clock) {
        BreakerSnapshot b = breaker.snapshot();
        Candidate.Health health = switch (b.state()) {
            case CLOSED -> Candidate.Health.HEALTHY;
            case HALF_OPEN -> Candidate.Health.ON_TRIAL;
            case OPEN -> {
                Instant until = b.openUntil().orElse(Instant.MAX);
                yield clock.instant().isBefore(until) ? null : Candidate.Health.ON_TRIAL;
            }
        };
        if (health == null) return Optional.empty();
        ContractSnapshot c = contract.snapshot();
        OptionalLong requestsLeft = c.limits().rpm().isPresent()
                ? OptionalLong.of(Math.max(0, c.limits().rpm().getAsInt() - c.requestsLastMinute()))
                : OptionalLong.empty();
        OptionalLong tokensLeft = c.limits().tpm().isPresent()
                ? OptionalLong.of(Math.max(0, c.limits().tpm().getAsLong() - c.tokensLastMinute()))
                : OptionalLong.empty();
        var ttft = latency.average();
        long samples = ttft.isPresent() ? latency.samples() : 0; // samples only grow: at least 1 here
        // against a contract's max_concurrent, what counts is the supplier's whole load: every model's requests on it
        int busy = c.limits().maxConcurrent().isPresent() ? c.inFlight() : inFlight.get();
        return Optional.of(new Candidate(index, supplier.name(), tier, weight, health, busy,
                c.limits().maxConcurrent(), requestsLeft, tokensLeft, ttft, samples, price));
    }
}
