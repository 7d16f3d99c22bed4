package dev.junction.router.upstream;


/**
 * Receives what one call to an upstream brings: for a stream, each event's data as it arrives; then exactly one of
 * {@link #onComplete} and {@link #onFailure} — unless the caller {@linkplain UpstreamCall#cancel cancelled} first,
 * after which nothing more comes. Called on the HTTP client's threads, one call at a time and in order: hand the
 * data on quickly (e.g. to a queue the request's own thread reads).
 */
public interface UpstreamListener {
    /** The data of one streamed event ({@code [DONE]} is not passed on: it is {@link #onComplete}). */
    void onEvent(String data);

    /** The call ended well: a stream's {@code [DONE]} ({@code body} null), or a non-streamed answer's whole body. */
    void onComplete(byte[] body);

    void onFailure(UpstreamFailure failure);
}
