package dev.junction.router.route;

import dev.junction.inference.Usage;

import java.util.Optional;

/**
 * How a routed request ended, for metering and logs.
 *
 * @param supplier the supplier that served (or last failed) it; empty when none was tried
 * @param attempts deployments called
 * @param usage    the tokens reported by the supplier that served it; empty when it did not say
 * @param answered whether the client got a whole answer
 */
public record RouteOutcome(Optional<String> supplier, int attempts, Optional<Usage> usage, boolean answered) {
}
