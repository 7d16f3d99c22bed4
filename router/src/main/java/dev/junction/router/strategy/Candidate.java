package dev.junction.router.strategy;

import dev.junction.router.config.Price;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a strategy sees of one deployment when it orders a request's attempts. The router makes one per usable
 * deployment of the model, just before ordering: only deployments whose breaker would let a request through now are
 * candidates (see {@link Health}); an OPEN one, or a HALF_OPEN one whose trial is already out, is left out and so
 * receives nothing. Deployments without room are passed, and strategies order them last.
 *
 * @param index             the deployment's position in the model's {@code deployments} (file order), unique among
 *                          one call's candidates; the router maps the answer back by it, and {@code prefix} remembers
 *                          placements by it
 * @param supplier          the supplier's name
 * @param tier              for {@code priority}: 1 is tried first
 * @param weight            for {@code weighted}: a share relative to the other candidates' weights
 * @param health            whether this request would be an ordinary one or the breaker's single trial
 * @param inFlight          requests in flight on the deployment now
 * @param maxConcurrent     its contract's {@code max_concurrent}; empty for unlimited
 * @param requestsLeft      requests it may still start in the current minute under {@code rpm}; empty for unlimited
 * @param tokensLeft        tokens it may still take in the current minute under {@code tpm}; empty for unlimited
 * @param timeToFirstToken  the moving average of time to first token; empty while it has no sample
 * @param latencySamples    how many samples that average has seen
 * @param price             per million input and output tokens
 */
public record Candidate(int index, String supplier, int tier, int weight, Health health, int inFlight,
                        OptionalInt maxConcurrent, OptionalLong requestsLeft, OptionalLong tokensLeft,
                        Optional<Duration> timeToFirstToken, long latencySamples, Price price) {

    /** The breaker's state as far as one request is concerned. */
    public enum Health {
        /** The breaker is CLOSED: an ordinary request. */
        HEALTHY,
        /**
         * The breaker is HALF_OPEN and its one trial is free: this request would be the trial. Strategies order it
         * like a healthy one (the trial is how it comes back); {@code latency} tries it early, since its average is
         * from before it failed.
         */
        ON_TRIAL
    }

    public Candidate {
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(maxConcurrent, "maxConcurrent");
        Objects.requireNonNull(requestsLeft, "requestsLeft");
        Objects.requireNonNull(tokensLeft, "tokensLeft");
        Objects.requireNonNull(timeToFirstToken, "timeToFirstToken");
        Objects.requireNonNull(price, "price");
        if (index < 0) throw new IllegalArgumentException("index must not be negative");
        if (tier < 1) throw new IllegalArgumentException("tier must be at least 1");
        if (weight < 1) throw new IllegalArgumentException("weight must be at least 1");
        if (inFlight < 0) throw new IllegalArgumentException("inFlight must not be negative");
        if (maxConcurrent.orElse(1) < 1) throw new IllegalArgumentException("maxConcurrent must be at least 1");
        if (requestsLeft.orElse(0) < 0) throw new IllegalArgumentException("requestsLeft must not be negative");
        if (tokensLeft.orElse(0) < 0) throw new IllegalArgumentException("tokensLeft must not be negative");
        if (timeToFirstToken.isPresent() != (latencySamples > 0)) {
            throw new IllegalArgumentException("a time to first token is known exactly when there are samples");
        }
    }

    /**
     * Whether its contract has room for the request now: a free concurrency slot, a request left in the minute and
     * {@link RouteRequest#tokensToReserve()} tokens left in it.
     */
    public boolean hasRoomFor(RouteRequest request) {
        return (maxConcurrent.isEmpty() || inFlight < maxConcurrent.getAsInt())
                && (requestsLeft.isEmpty() || requestsLeft.getAsLong() >= 1)
                && (tokensLeft.isEmpty() || tokensLeft.getAsLong() >= request.tokensToReserve());
    }
}
