package dev.junction.server;

import dev.junction.inference.Usage;

import java.time.Duration;

/**
 * How a {@code /v1} request ended, for {@link RequestInterceptor#onResponse}: metering reads the usage, audit the
 * status.
 *
 * @param status           the HTTP status sent (200 for a stream that started, even if it failed or the client left
 *                         midway; 499 when the client left before anything was written)
 * @param model            the model the request named, or null if it never got that far
 * @param usage            tokens consumed (prompt once per prompt, completion over all choices; for a stream the
 *                         client cut, the tokens generated until then), or null when nothing was generated
 * @param supplier         the supplier that answered (routed requests), or null
 * @param timeToFirstToken from the request's arrival to its first streamed token, or null (not streamed, no token)
 * @param duration         from the request's arrival to its end
 * @param ending           how it ended
 */
public record ApiOutcome(int status, String model, Usage usage, String supplier, Duration timeToFirstToken,
                         Duration duration, Ending ending) {
    /** How a request ended. */
    public enum Ending {
        /** Answered to its end (any status: a 4xx refusal is an answer too). */
        ANSWERED,
        /** The client left before its answer ended. */
        CLIENT_LEFT,
        /** It failed after its answer began (a stream that ended with an error event) or with a 5xx. */
        FAILED
    }

    /** An outcome known only by its status, model and usage (as tests and refusals have it). */
    public ApiOutcome(int status, String model, Usage usage) {
        this(status, model, usage, null, null, Duration.ZERO, status >= 500 ? Ending.FAILED : Ending.ANSWERED);
    }

    /** The same outcome without its timings (what tests compare). */
    public ApiOutcome untimed() {
        return new ApiOutcome(status, model, usage, supplier, null, Duration.ZERO, ending);
    }
}
