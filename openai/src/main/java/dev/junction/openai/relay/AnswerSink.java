package dev.junction.openai.relay;

import java.time.Duration;

/**
 * Where a relayed request's answer goes, in order: {@link #attempt} before each supplier is tried, then {@link #begin}
 * once, when the first byte of a good answer is ready (the point after which nothing is retried), then for a stream
 * its events' data and {@link #endStream}, or for a plain answer its {@link #body}; or {@link #fail} instead — before
 * {@code begin} an HTTP error, after it the stream's last, error event. Called on the request's own thread; a method
 * that cannot write because the client has gone throws an unchecked exception, which ends the request.
 */
public interface AnswerSink {
    /** Supplier {@code supplier} is about to be tried, as try number {@code attempts} (1 for the first). */
    void attempt(String supplier, int attempts);

    /** The answer starts, from {@code supplier} after {@code attempts} tries (1 when the first one served it). */
    void begin(String supplier, int attempts);

    /** One event's data: a JSON object, written on as it came; it reaches the client at the next {@link #flush}. */
    void event(String data);

    /** Sends the events written so far; called whenever no further event is waiting, so nothing is held back. */
    void flush();

    /** The stream is complete ({@code data: [DONE]}). */
    void endStream();

    /** A plain answer's whole JSON body. */
    void body(byte[] json);

    /**
     * The request failed: an OpenAI-shaped error of {@code status} (e.g. 429 with {@code retryAfter}, 502, 503, 504)
     * with Junction's own message, never an upstream's body.
     *
     * @param retryAfter null when there is no {@code Retry-After} to give
     */
    void fail(int status, String code, String message, Duration retryAfter);

    /**
     * The tokens the call has consumed so far, whenever the relay learns them: at the end from the answer's
     * {@code usage}, and for a call abandoned midway (the client left, a supplier died mid-stream) what was generated
     * until then, so metering is exact also for cut streams. The last report counts.
     */
    default void usage(dev.junction.openai.CompletionUsage usage) {
    }
}
