package dev.junction.server;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One {@code /v1} request as {@link RequestInterceptor}s see it: what was asked, by whom, and a place for
 * interceptors to leave what they learned for the ones after them (an authenticated tenant for the limiter and the
 * meter). Confined to the request's thread.
 */
public final class ApiCall {
    private final String method;
    private final String route;
    private final Function<String, String> headers;
    private final String remoteAddress;
    private final Map<String, Object> attributes = new HashMap<>();
    private String model;

    /**
     * @param route   the route template, e.g. {@code /v1/chat/completions} or {@code /v1/models/<id>}
     * @param headers header name (case-insensitive) → value, or null
     */
    public ApiCall(String method, String route, Function<String, String> headers, String remoteAddress) {
        this.method = Objects.requireNonNull(method);
        this.route = Objects.requireNonNull(route);
        this.headers = Objects.requireNonNull(headers);
        this.remoteAddress = remoteAddress;
    }

    public String method() {
        return method;
    }

    public String route() {
        return route;
    }

    /** A request header, or null. */
    public String header(String name) {
        return headers.apply(name);
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    /** The model the request names; null until its body has been read (so always null in {@code onRequest}). */
    public String model() {
        return model;
    }

    void model(String name) {
        this.model = name;
    }

    /** Values interceptors share along one request; mutable. */
    public Map<String, Object> attributes() {
        return attributes;
    }
}
