package dev.junction.router.config;

import java.time.Duration;
import java.util.Objects;

/**
 * When the circuit breakers of a supplier's deployments open and for how long ({@code breaker:}); a key left out
 * takes its default ({@link #DEFAULTS}: failures 5, cool_down 10s, max_cool_down 5m, the router's own defaults). A
 * breaker also opens when half of its last 20 calls failed; that share is not set here.
 *
 * @param failures    failures in a row that open a breaker
 * @param coolDown    how long its first opening lasts ({@code cool_down}); each further one before it closes again
 *                    lasts twice the one before
 * @param maxCoolDown the longest an opening lasts ({@code max_cool_down}), at least {@code coolDown}; left out, the
 *                    larger of its default and {@code cool_down}
 */
public record BreakerSettings(int failures, Duration coolDown, Duration maxCoolDown) {
    public static final BreakerSettings DEFAULTS = new BreakerSettings(5, Duration.ofSeconds(10),
            Duration.ofMinutes(5));

    public BreakerSettings {
        Objects.requireNonNull(coolDown, "coolDown");
        Objects.requireNonNull(maxCoolDown, "maxCoolDown");
        if (failures < 1) throw new IllegalArgumentException("failures must be at least 1");
        if (maxCoolDown.compareTo(coolDown) < 0) throw new IllegalArgumentException("maxCoolDown below coolDown");
    }
}
