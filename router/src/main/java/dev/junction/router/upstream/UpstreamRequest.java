package dev.junction.router.upstream;

import dev.junction.router.config.Timeouts;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP call to make: POST {@code body} (JSON) to {@code uri} with {@code headers} (credentials among them), or a
 * GET when {@code body} is null; with {@code stream} the answer is read as an event stream.
 */
public record UpstreamRequest(URI uri, Map<String, String> headers, byte[] body, boolean stream, Timeouts timeouts) {
    public UpstreamRequest {
        Objects.requireNonNull(uri);
        Objects.requireNonNull(timeouts);
        headers = Map.copyOf(headers);
    }

    @Override
    public String toString() { // never the headers: they carry credentials
        return body == null ? "UpstreamRequest[GET " + uri + "]"
                : "UpstreamRequest[POST " + uri + ", " + body.length + " bytes" + (stream ? ", streamed" : "") + "]";
    }
}
