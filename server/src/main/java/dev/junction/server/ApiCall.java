package dev.junction.server;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One {@code /v1} request as {@link RequestInterceptor}s see it: what was asked, by whom, and a place for
 * interceptors to leave what they learned for the ones after them (an authenticated tenant for the limiter and the
 * meter). Confined to the request's thread.
 *
 * <p>Its life: {@link RequestInterceptor#onRequest} sees method, route and headers; once the body is read the
 * {@link #shape()} is known and {@link RequestInterceptor#onBody} runs (admission: limits by model and tokens); the
 * endpoint then notes the {@link #supplier()} that answered and when the first token left
 * ({@link #firstTokenAt()}), which {@link ApiOutcome} reports.
 */
public final class ApiCall {
    private final String method;
    private final String route;
    private final Function<String, String> headers;
    private final String remoteAddress;
    private final BiConsumer<String, String> responseHeaders;
    private final Map<String, Object> attributes = new HashMap<>();
    private Consumer<ApiCall> bodyRead = call -> {
    };
    private Predicate<String> visibleModels = model -> true;
    private String model;
    private RequestShape shape;
    private String supplier;
    private Instant firstTokenAt;
    private ApiOutcome.Ending ending = ApiOutcome.Ending.ANSWERED;

    /**
     * @param route   the route template, e.g. {@code /v1/chat/completions} or {@code /v1/models/<id>}
     * @param headers header name (case-insensitive) → value, or null
     */
    public ApiCall(String method, String route, Function<String, String> headers, String remoteAddress) {
        this(method, route, headers, remoteAddress, (name, value) -> {
        });
    }

    /** @param responseHeaders sets a header of the response (before it is committed) */
    public ApiCall(String method, String route, Function<String, String> headers, String remoteAddress,
                   BiConsumer<String, String> responseHeaders) {
        this.method = Objects.requireNonNull(method);
        this.route = Objects.requireNonNull(route);
        this.headers = Objects.requireNonNull(headers);
        this.remoteAddress = remoteAddress;
        this.responseHeaders = Objects.requireNonNull(responseHeaders);
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

    /**
     * Narrows the models this caller is shown: {@code /v1/models} lists only those {@code allowed} accepts, and
     * {@code /v1/models/<id>} of another is not found. For an interceptor that knows the caller (a key's model list).
     */
    public void restrictModels(Predicate<String> allowed) {
        visibleModels = visibleModels.and(Objects.requireNonNull(allowed));
    }

    /** Whether the caller is shown {@code model} (every model unless an interceptor restricted them). */
    public boolean shows(String model) {
        return visibleModels.test(model);
    }

    /** The model the request names; null until its body has been read (so always null in {@code onRequest}). */
    public String model() {
        return model;
    }

    void model(String name) {
        this.model = name;
    }

    /** Sets a header of the response, e.g. {@code x-ratelimit-remaining-requests}; only before anything is written. */
    public void setResponseHeader(String name, String value) {
        responseHeaders.accept(name, value);
    }

    /** What the generation request asks for; null until its body has been read, and for other routes. */
    public RequestShape shape() {
        return shape;
    }

    /** The body has been read: records its shape and runs the interceptors' {@code onBody} (which may refuse). */
    void bodyRead(RequestShape s) {
        this.shape = s;
        this.model = s.model();
        bodyRead.accept(this);
    }

    void onBodyRead(Consumer<ApiCall> hook) {
        this.bodyRead = Objects.requireNonNull(hook);
    }

    /** The supplier that answered (routed requests), or null. */
    public String supplier() {
        return supplier;
    }

    void supplier(String name) {
        this.supplier = name;
    }

    /** When the first token was written to the client (streams), or null. */
    public Instant firstTokenAt() {
        return firstTokenAt;
    }

    void firstToken(Instant at) {
        if (firstTokenAt == null) firstTokenAt = at;
    }

    ApiOutcome.Ending ending() {
        return ending;
    }

    /** The client left before the answer ended. */
    void clientLeft() {
        ending = ApiOutcome.Ending.CLIENT_LEFT;
    }

    /** The answer began and then failed (a stream ended by an error event). */
    void failedMidway() {
        if (ending == ApiOutcome.Ending.ANSWERED) ending = ApiOutcome.Ending.FAILED;
    }

    /** Values interceptors share along one request; mutable. */
    public Map<String, Object> attributes() {
        return attributes;
    }
}
