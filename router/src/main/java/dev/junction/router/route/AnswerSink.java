package dev.junction.router.route;

import java.time.Duration;

/**
 * Where a routed request's answer goes, in order: {@link #begin} once, when the first byte of a good answer is ready
 * (the point after which nothing is retried), then for a stream its events' data and {@link #endStream}, or for a
 * plain answer its {@link #body}; or {@link #fail} instead — before {@code begin} an HTTP error, after it the
 * stream's last, error event. Called on the request's own thread.
 */
public interface AnswerSink {
    /** The answer starts, from {@code supplier} after {@code attempts} tries (1 when the first one served it). */
    void begin(String supplier, int attempts);

    void event(String data);

    /** The stream is complete ({@code data: [DONE]}). */
    void endStream();

    /** A plain answer's whole JSON body. */
    void body(byte[] json);

    /**
     * The request failed: an OpenAI-shaped error of {@code status} (e.g. 429 with {@code retryAfter}, 502, 503, 504)
     * with Junction's own message, never an upstream's body.
     */
    void fail(int status, String code, String message, Duration retryAfter);
}
