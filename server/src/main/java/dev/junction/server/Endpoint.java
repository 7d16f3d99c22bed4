package dev.junction.server;

import dev.junction.inference.Usage;
import io.javalin.http.Context;

/**
 * The work of one {@code /v1} route: answers the request (writing the response itself) and reports what it consumed.
 * Failures are thrown — {@link ApiException}, or the service's and the parser's own exceptions — and turned into
 * OpenAI error bodies in one place, {@link OpenAiServer}.
 */
@FunctionalInterface
interface Endpoint {
    /** @return the tokens consumed, or null when nothing was generated */
    Usage serve(Context ctx, ApiCall call) throws Exception;
}
