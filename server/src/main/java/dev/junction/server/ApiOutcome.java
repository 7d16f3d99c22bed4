package dev.junction.server;

import dev.junction.inference.Usage;

/**
 * How a {@code /v1} request ended, for {@link RequestInterceptor#onResponse}: metering reads the usage, audit the
 * status.
 *
 * @param status the HTTP status sent (200 for a stream that started, even if it failed or the client left midway)
 * @param model  the model the request named, or null if it never got that far
 * @param usage  tokens consumed (prompt once per prompt, completion over all choices), or null when nothing was
 *               generated
 */
public record ApiOutcome(int status, String model, Usage usage) {
}
