package dev.junction.router.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the router waits on a remote supplier before it counts the attempt as failed. A key left out of the file
 * takes its default ({@link #DEFAULTS}: connect 5s, first_token 60s, idle 30s, total 10m).
 *
 * @param connect    to open the connection
 * @param firstToken from sending the request to the first chunk of the answer ({@code first_token})
 * @param idle       between two chunks of a stream
 * @param total      for the whole request, retries on other deployments included
 */
public record Timeouts(Duration connect, Duration firstToken, Duration idle, Duration total) {
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofMinutes(10));

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(firstToken, "firstToken");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(total, "total");
    }
}
