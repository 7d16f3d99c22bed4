package dev.junction.router.config;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What was bought from a supplier, which the router never exceeds. Each limit is empty when the file leaves it out:
 * no limit of that kind.
 *
 * @param maxConcurrent requests in flight at once ({@code max_concurrent})
 * @param rpm           requests started per minute
 * @param tpm           tokens per minute (prompt plus completion)
 */
public record Contract(OptionalInt maxConcurrent, OptionalInt rpm, OptionalLong tpm) {
    /** No limits at all. */
    public static final Contract UNLIMITED = new Contract(OptionalInt.empty(), OptionalInt.empty(), OptionalLong.empty());

    public Contract {
        Objects.requireNonNull(maxConcurrent, "maxConcurrent");
        Objects.requireNonNull(rpm, "rpm");
        Objects.requireNonNull(tpm, "tpm");
    }
}
