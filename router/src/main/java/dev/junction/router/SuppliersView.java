package dev.junction.router;

import dev.junction.router.capacity.ContractSnapshot;
import dev.junction.router.health.BreakerSnapshot;
import dev.junction.router.health.LatencySnapshot;
import dev.junction.router.health.RetryBudgetSnapshot;
import dev.junction.router.route.Deployment;
import dev.junction.router.route.DeploymentMeters;
import dev.junction.router.route.ModelRoute;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What {@code GET /admin/v1/suppliers} shows: each deployment's breaker, requests in flight, contract use, time to
 * first token, error rate, tokens and spend; and the retry budget. Written as JSON with snake_case names.
 */
public record SuppliersView(List<DeploymentView> deployments, RetryBudgetView retryBudget) {
    public record DeploymentView(String model, String supplier, String upstreamModel, int tier, int weight,
                                 BreakerView breaker, int inFlight, ContractView contract,
                                 LatencyView timeToFirstToken, long requests, long errors, double errorRate,
                                 long promptTokens, long completionTokens, double spendUsd) {
    }

    /**
     * @param openUntil   ISO-8601, or null when not open
     * @param transitions changes of state since the breaker was made (it starts closed, so the first is an opening)
     */
    public record BreakerView(String state, String openUntil, int consecutiveFailures, double failureRate,
                              long transitions) {
    }

    /** Limits are null when the contract has none. */
    public record ContractView(int concurrent, Integer maxConcurrent, long requestsLastMinute, Integer rpm,
                               long tokensLastMinute, Long tpm) {
    }

    public record LatencyView(long samples, double p50Ms, double p99Ms) {
    }

    public record RetryBudgetView(long requests, long retries, long allowed) {
    }

    static SuppliersView of(Collection<ModelRoute> routes, RetryBudgetSnapshot budget) {
        List<DeploymentView> all = new ArrayList<>();
        for (ModelRoute route : routes) {
            for (Deployment d : route.deployments()) all.add(deployment(route.model(), d));
        }
        return new SuppliersView(all, new RetryBudgetView(budget.requests(), budget.retries(), budget.allowed()));
    }

    private static DeploymentView deployment(String model, Deployment d) {
        BreakerSnapshot b = d.breaker().snapshot();
        ContractSnapshot c = d.contract().snapshot();
        LatencySnapshot l = d.latency().snapshot();
        DeploymentMeters.Totals t = d.meters().totals();
        var limits = c.limits();
        return new DeploymentView(model, d.supplierName(), d.upstreamModel(), d.tier(), d.weight(),
                new BreakerView(b.state().name().toLowerCase(java.util.Locale.ROOT),
                        b.openUntil().map(Object::toString).orElse(null), b.consecutiveFailures(), b.failureRate(),
                        b.generation()),
                d.inFlight(),
                new ContractView(c.inFlight(), limits.maxConcurrent().isPresent()
                        ? limits.maxConcurrent().getAsInt() : null, c.requestsLastMinute(),
                        limits.rpm().isPresent() ? limits.rpm().getAsInt() : null, c.tokensLastMinute(),
                        limits.tpm().isPresent() ? limits.tpm().getAsLong() : null),
                new LatencyView(l.samples(), millis(l.p50()), millis(l.p99())),
                t.attempts(), t.failures(), t.errorRate(), t.promptTokens(), t.completionTokens(), t.spendUsd());
    }

    private static double millis(java.time.Duration d) {
        return d == null ? 0 : d.toNanos() / 1e6;
    }
}
