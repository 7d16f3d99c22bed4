package dev.junction.router.health;

import java.time.Duration;
import java.util.Objects;

/**
 * When a {@link Breaker} opens and for how long.
 *
 * <p>It opens after {@code consecutiveFailures} failures in a row, or when at least {@code minimumCalls} of the last
 * {@code windowSize} completed calls (a count-based window: it reacts as fast under heavy traffic as under light, and
 * needs no clock) were counted and the share of failures among them is at or above {@code failureRateThreshold}.
 * The first opening lasts {@code coolDown}; each further opening before the breaker closes again lasts twice the
 * previous one, up to {@code maxCoolDown} (equal to {@code coolDown} for a fixed cool-down). A trial request that is
 * neither completed nor released within {@code trialTimeout} counts as failed, so that a lost trial cannot hold the
 * breaker half-open forever; set it above the deployment's total request timeout.
 */
public record BreakerConfig(int consecutiveFailures, double failureRateThreshold, int windowSize, int minimumCalls,
                            Duration coolDown, Duration maxCoolDown, Duration trialTimeout) {

    public BreakerConfig {
        Objects.requireNonNull(coolDown, "coolDown");
        Objects.requireNonNull(maxCoolDown, "maxCoolDown");
        Objects.requireNonNull(trialTimeout, "trialTimeout");
        if (consecutiveFailures < 1) throw new IllegalArgumentException("consecutiveFailures must be at least 1");
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 1)) {
            throw new IllegalArgumentException("failureRateThreshold must be in (0, 1]");
        }
        if (windowSize < 1) throw new IllegalArgumentException("windowSize must be at least 1");
        if (minimumCalls < 1 || minimumCalls > windowSize) {
            throw new IllegalArgumentException("minimumCalls must be between 1 and windowSize");
        }
        if (coolDown.toMillis() < 1) throw new IllegalArgumentException("coolDown must be at least 1 ms");
        if (maxCoolDown.compareTo(coolDown) < 0) throw new IllegalArgumentException("maxCoolDown must be >= coolDown");
        if (trialTimeout.toMillis() < 1) throw new IllegalArgumentException("trialTimeout must be at least 1 ms");
    }

    /** 5 failures in a row, or 50 % of the last 20 calls (at least 10); 10 s doubling up to 5 min; trials 5 min. */
    public static BreakerConfig defaults() {
        return new BreakerConfig(5, 0.5, 20, 10, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(5));
    }

    /** How long the {@code opening}-th opening since the breaker last closed lasts (1 for the first). */
    public Duration coolDownFor(int opening) {
        if (opening < 1) throw new IllegalArgumentException("opening must be at least 1");
        long max = maxCoolDown.toMillis();
        long millis = coolDown.toMillis();
        for (int i = 1; i < opening && millis < max; i++) millis = Math.min(max, millis * 2);
        return Duration.ofMillis(millis);
    }
}
