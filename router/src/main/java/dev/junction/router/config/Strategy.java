package dev.junction.router.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** How a model's requests are spread over its deployments (the "Routing" section says what each does). */
public enum Strategy {
    /** Tier 1 while it is healthy and has room, then the next tier; least-busy inside a tier. The default. */
    PRIORITY("priority"),
    /** In proportion to each deployment's {@code weight}. */
    WEIGHTED("weighted"),
    /** Fewest requests in flight relative to the supplier's {@code max_concurrent}. */
    LEAST_BUSY("least-busy"),
    /** Shortest moving average of time to first token, with a little exploration. */
    LATENCY("latency"),
    /** Cheapest deployment with capacity left for the request. */
    COST("cost"),
    /** Where a request sharing the prompt's prefix went before, blended with load. */
    PREFIX("prefix");

    private final String configName;

    Strategy(String configName) {
        this.configName = configName;
    }

    /** As written in the file. */
    public String configName() {
        return configName;
    }

    public static Optional<Strategy> byConfigName(String name) {
        return Arrays.stream(values()).filter(s -> s.configName.equals(name)).findFirst();
    }

    static List<String> configNames() {
        return Arrays.stream(values()).map(Strategy::configName).toList();
    }
}
