package dev.junction.router.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * How long one call to an upstream may take: to connect; from sending the request to the first event of a stream;
 * between two events of a stream; and in all. A call past any of them fails with
 * {@link UpstreamFailure.TimedOut} (a connection that cannot be made in time with
 * {@link UpstreamFailure.ConnectFailed}).
 */
public record Timeouts(Duration connect, Duration firstToken, Duration idle, Duration total) {
    /** 2 s to connect, 20 s to the first token, 30 s between tokens, 300 s in all. */
    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(20),
            Duration.ofSeconds(30), Duration.ofSeconds(300));

    public Timeouts {
        for (Duration d : new Duration[]{connect, firstToken, idle, total}) {
            if (Objects.requireNonNull(d).isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive, got " + d);
            }
        }
    }
}
