package dev.junction.router;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.openai.CompletionUsage;
import dev.junction.openai.relay.AnswerSink;
import dev.junction.openai.relay.Endpoint;
import dev.junction.openai.relay.Relay;
import dev.junction.router.capacity.CapacityContract;
import dev.junction.router.capacity.ContractLimits;
import dev.junction.router.capacity.ContractStore;
import dev.junction.router.capacity.InMemoryContractStore;
import dev.junction.router.capacity.SharedContractStore;
import dev.junction.router.config.BreakerSettings;
import dev.junction.router.config.Contract;
import dev.junction.router.config.ModelConfig;
import dev.junction.router.config.RouterConfig;
import dev.junction.router.config.SupplierConfig;
import dev.junction.router.config.Timeouts;
import dev.junction.router.health.Breaker;
import dev.junction.router.health.BreakerConfig;
import dev.junction.router.health.LatencyConfig;
import dev.junction.router.health.LatencyTracker;
import dev.junction.router.health.RetryBudget;
import dev.junction.router.health.RetryBudgetConfig;
import dev.junction.router.remote.RemoteSupplier;
import dev.junction.router.route.Deployment;
import dev.junction.router.route.DeploymentMeters;
import dev.junction.router.route.ModelRoute;
import dev.junction.router.route.RouteOutcome;
import dev.junction.router.strategy.RoutingStrategy;
import dev.junction.router.upstream.UpstreamClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * The supplier router as the HTTP server sees it: a {@link Relay} that serves the public models of a
 * {@link RouterConfig}, each through its {@link ModelRoute}. {@link #apply} swaps in a reloaded configuration at
 * once; requests under way finish on the routes they started with, and every deployment whose supplier is unchanged
 * keeps what it has learnt (breaker, contract use, latency, requests in flight, meters). A {@link Prober} checks
 * every supplier periodically.
 */
public final class SupplierRouter implements Relay, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SupplierRouter.class);
    /** How long a replaced supplier's client is kept for the calls still using it. */
    private static final Duration RETIRE_AFTER = Timeouts.DEFAULTS.total();

    /** The routes in use, swapped whole on reload. */
    private record Routes(RouterConfig config, Map<String, ModelRoute> models, Map<String, Called> suppliers) {
    }

    /** One supplier as called: where, and its HTTP client. */
    record Called(SupplierConfig config, RemoteSupplier remote, UpstreamClient client, CapacityContract contract) {
    }

    private final Optional<URI> localBase;
    private final MeterRegistry registry;
    private final InstantSource clock;
    private final RetryBudget retries;
    private final ScheduledExecutorService retirements = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("junction-router-retire").factory());
    private final Prober prober;
    private final Phaser underWay = new Phaser(1); // one party per relayed call, plus the router's own
    private final ContractStore sharedContracts;
    private final ContractStore localContracts = new InMemoryContractStore();
    private volatile Routes routes;

    /**
     * @param localBase where this process serves its local engine ({@code http://127.0.0.1:port/v1}); empty when it
     *                  has none (then a {@code local} supplier is refused)
     */
    public SupplierRouter(RouterConfig config, Optional<URI> localBase, MeterRegistry registry,
                          InstantSource clock) {
        this(config, localBase, registry, clock, new InMemoryContractStore());
    }

    /**
     * @param contracts where the counters of suppliers' capacity contracts live: a {@link SharedContractStore} over
     *                  the database when several nodes share the suppliers (a contract without any limit always
     *                  counts in this process: there is nothing to share)
     */
    public SupplierRouter(RouterConfig config, Optional<URI> localBase, MeterRegistry registry,
                          InstantSource clock, ContractStore contracts) {
        this.sharedContracts = java.util.Objects.requireNonNull(contracts, "contracts");
        this.localBase = localBase;
        this.registry = registry;
        this.clock = clock;
        this.retries = new RetryBudget(RetryBudgetConfig.defaults(), clock);
        this.routes = build(config, null);
        Gauge.builder("junction.router.retry.budget.allowed", retries, r -> r.snapshot().allowed())
                .description("Retries the budget allows in its window now").register(registry);
        this.prober = new Prober(this::probeTargets);
    }

    /** Starts probing every supplier each {@code interval}. */
    public void startProbes(Duration interval) {
        prober.start(interval);
    }

    /** Probes every supplier once, now (tests). */
    public void probeNow() throws InterruptedException {
        prober.probeAll();
    }

    /** Replaces the running configuration; requests under way are not touched. */
    public synchronized void apply(RouterConfig config) {
        Routes old = routes;
        routes = build(config, old);
        for (Called s : old.suppliers().values()) {
            Called kept = routes.suppliers().get(s.config().name());
            if (kept == null || kept.client() != s.client()) {
                retirements.schedule(s.client()::close, RETIRE_AFTER.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        log.info("Routing {} over {}", routes.models().keySet(), routes.suppliers().keySet());
    }

    public RouterConfig config() {
        return routes.config();
    }

    @Override
    public List<String> models() {
        return List.copyOf(routes.models().keySet());
    }

    @Override
    public CompletionUsage relay(Endpoint endpoint, ObjectNode body, AnswerSink sink) throws InterruptedException {
        String model = body.path("model").asText();
        ModelRoute route = routes.models().get(model);
        if (route == null) {
            sink.fail(404, "model_not_found", "The model '" + model + "' does not exist.", null);
            return null;
        }
        underWay.register();
        RouteOutcome outcome;
        try {
            outcome = route.route(endpoint, body, sink);
        } finally {
            underWay.arriveAndDeregister();
        }
        return outcome.usage().map(u -> CompletionUsage.of(u.promptTokens(), u.completionTokens(), u.cachedTokens()))
                .orElse(null);
    }

    @Override
    public boolean awaitIdle(long graceMillis) throws InterruptedException {
        int phase = underWay.arrive(); // the router's own party: the phase ends when the last call deregisters
        try {
            underWay.awaitAdvanceInterruptibly(phase, graceMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /** Every deployment of every model, now, for {@code GET /admin/v1/suppliers}. */
    public SuppliersView view() {
        return SuppliersView.of(routes.models().values(), retries.snapshot());
    }

    /** Each supplier with the deployments on it, for the prober. */
    private List<Prober.Target> probeTargets() {
        Routes r = routes;
        Map<String, List<Deployment>> by = new LinkedHashMap<>();
        for (String name : r.suppliers().keySet()) by.put(name, new ArrayList<>());
        for (ModelRoute m : r.models().values()) {
            for (Deployment d : m.deployments()) by.get(d.supplierName()).add(d);
        }
        List<Prober.Target> targets = new ArrayList<>();
        r.suppliers().forEach((name, s) -> targets.add(new Prober.Target(s.remote(), s.client(), by.get(name))));
        return targets;
    }

    /** The suppliers and models of {@code config}, reusing what {@code old} had for what did not change. */
    private Routes build(RouterConfig config, Routes old) {
        Map<String, Called> suppliers = new LinkedHashMap<>();
        for (SupplierConfig c : config.suppliers().values()) {
            Called before = old == null ? null : old.suppliers().get(c.name());
            suppliers.put(c.name(), before != null && before.config().equals(c) ? before : supplier(c));
        }
        Map<String, ModelRoute> models = new LinkedHashMap<>();
        for (ModelConfig m : config.models().values()) {
            ModelRoute before = old == null ? null : old.models().get(m.name());
            models.put(m.name(), route(m, suppliers, before, old));
        }
        return new Routes(config, models, suppliers);
    }

    private Called supplier(SupplierConfig c) {
        RemoteSupplier remote = switch (c) {
            case SupplierConfig.Local local -> RemoteSupplier.local(local, localBase.orElseThrow(
                    () -> new IllegalStateException("supplier " + c.name() + ": no local engine in this process")));
            case SupplierConfig.OpenAi openAi -> RemoteSupplier.of(openAi);
            case SupplierConfig.AzureOpenAi azure -> RemoteSupplier.of(azure);
        };
        // the contract is what was bought from the supplier: every model's deployment on it shares it
        ContractLimits limits = limits(c.contract());
        boolean limited = limits.maxConcurrent().isPresent() || limits.rpm().isPresent() || limits.tpm().isPresent();
        return new Called(c, remote, new UpstreamClient(remote.timeouts()), new CapacityContract(c.name(),
                limits, limited ? sharedContracts : localContracts, clock));
    }

    private ModelRoute route(ModelConfig m, Map<String, Called> suppliers, ModelRoute before, Routes old) {
        List<Deployment> deployments = new ArrayList<>();
        boolean allKept = before != null;
        Duration deadline = Duration.ZERO;
        for (ModelConfig.Deployment spec : m.deployments()) {
            int index = deployments.size();
            Called s = suppliers.get(spec.supplier());
            Deployment kept = before == null ? null : reusable(before, spec, s, old);
            allKept &= kept != null;
            deployments.add(kept != null ? kept.placed(index, spec.tier(), spec.weight())
                    : deployment(m.name(), index, spec, s));
            Duration total = s.remote().timeouts().total();
            if (total.compareTo(deadline) > 0) deadline = total;
        }
        boolean unchanged = allKept && m.equals(old.config().models().get(m.name()));
        RoutingStrategy strategy = unchanged ? before.strategy() : RoutingStrategy.create(m.strategy(), new Random());
        return new ModelRoute(m.name(), deployments, strategy, retries, clock, deadline, registry);
    }

    /** The deployment of {@code before} on the same, unchanged supplier and upstream model, if there is one. */
    private static Deployment reusable(ModelRoute before, ModelConfig.Deployment spec, Called s, Routes old) {
        Called previous = old.suppliers().get(spec.supplier());
        if (previous == null || previous != s) return null;
        for (Deployment d : before.deployments()) {
            if (d.supplierName().equals(spec.supplier()) && d.upstreamModel().equals(spec.model())) return d;
        }
        return null;
    }

    private Deployment deployment(String model, int index, ModelConfig.Deployment spec, Called s) {
        SupplierConfig c = s.config();
        DeploymentMeters meters = new DeploymentMeters(registry, model, c.name(), c.price());
        Breaker breaker = new Breaker(breakerConfig(c.breaker()), clock, t -> log.info(
                "Breaker of {} on {}: {} -> {}", model, c.name(), t.from(), t.to()));
        CapacityContract contract = s.contract();
        AtomicInteger inFlight = new AtomicInteger();
        gauge("junction.router.breaker.state", "Breaker state: 0 closed, 1 half-open, 2 open", meters, breaker,
                b -> switch (b.state()) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 1;
                    case OPEN -> 2;
                });
        gauge("junction.router.in.flight", "Requests under way on a deployment", meters, inFlight,
                AtomicInteger::get);
        gauge("junction.router.contract.requests.minute", "Requests admitted in the last minute, against rpm",
                meters, contract, k -> k.snapshot().requestsLastMinute());
        gauge("junction.router.contract.tokens.minute", "Tokens reserved or used in the last minute, against tpm",
                meters, contract, k -> k.snapshot().tokensLastMinute());
        return new Deployment(index, s.remote(), s.client(), spec.model(), spec.tier(), spec.weight(), c.price(),
                breaker, contract, new LatencyTracker(LatencyConfig.defaults()), inFlight, meters);
    }

    /** A gauge of a new deployment's state, replacing the one of the deployment it replaces (same tags). */
    private <T> void gauge(String name, String description, DeploymentMeters meters, T state,
                           ToDoubleFunction<T> value) {
        registry.find(name).tags(meters.tags()).meters().forEach(registry::remove);
        Gauge.builder(name, state, value).description(description).tags(meters.tags()).strongReference(true)
                .register(registry);
    }

    /** The file's breaker settings over the router's defaults for what the file does not set. */
    private static BreakerConfig breakerConfig(BreakerSettings s) {
        BreakerConfig d = BreakerConfig.defaults();
        return new BreakerConfig(s.failures(), d.failureRateThreshold(), d.windowSize(), d.minimumCalls(),
                s.coolDown(), s.maxCoolDown(), d.trialTimeout());
    }

    static ContractLimits limits(Contract c) {
        ContractLimits limits = ContractLimits.unlimited();
        if (c.maxConcurrent().isPresent()) limits = limits.withMaxConcurrent(c.maxConcurrent().getAsInt());
        if (c.rpm().isPresent()) limits = limits.withRpm(c.rpm().getAsInt());
        if (c.tpm().isPresent()) limits = limits.withTpm(c.tpm().getAsLong());
        return limits;
    }

    @Override
    public void close() {
        prober.close();
        retirements.shutdownNow();
        routes.suppliers().values().forEach(s -> s.client().close());
    }
}
