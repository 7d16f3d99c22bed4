package dev.junction.server;

import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceService;
import dev.junction.inference.Usage;
import dev.junction.openai.ApiError;
import dev.junction.openai.InvalidRequestException;
import dev.junction.openai.OpenAiJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.junction.openai.relay.Relay;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * An {@link InferenceService} served over the OpenAI HTTP API, with {@code /health}, {@code /ready} and Prometheus
 * {@code /metrics}. Each request runs on its own virtual thread.
 *
 * <pre>{@code
 * OpenAiServer server = OpenAiServer.start(ServerConfig.defaults().withPort(8080), service);
 * ...
 * server.stop(30_000); // stop accepting, let running generations finish for up to 30 s, shut the service down
 * }</pre>
 *
 * The server owns the service once started: {@link #stop} shuts it down.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpenAiServer.class);
    private static final String JSON = "application/json";
    /** After the service has shut down, how long responses get to be written to the end. */
    private static final Duration DRAIN = Duration.ofSeconds(2);
    /** Connections the kernel queues before the server accepts them. */
    private static final int ACCEPT_QUEUE = 1024;

    private final InferenceService service;
    private final Relay relay;
    private final PrometheusMeterRegistry registry;
    private final List<RequestInterceptor> interceptors;
    private final ServerMetrics metrics;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Javalin app;
    private final String host;
    private final int port;

    /** Starts serving with a fresh metrics registry and no interceptors. */
    public static OpenAiServer start(ServerConfig config, InferenceService service) {
        return builder(service).config(config).start();
    }

    public static Builder builder(InferenceService service) {
        return new Builder(service);
    }

    private OpenAiServer(Builder builder) {
        ServerConfig config = builder.config;
        this.service = builder.service;
        this.registry = builder.registry != null ? builder.registry
                : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.interceptors = List.copyOf(builder.interceptors);
        this.metrics = new ServerMetrics(registry, service, builder.clock);
        this.relay = builder.relay;
        var models = relay == null ? ModelsEndpoint.of(service) : ModelsEndpoint.of(relay, builder.clock);
        Endpoint chat = relay == null ? new ChatCompletionsEndpoint(service, metrics, config)
                : new RelayEndpoint(relay, dev.junction.openai.relay.Endpoint.CHAT, metrics, config);
        Endpoint completions = relay == null ? new CompletionsEndpoint(service, metrics, config)
                : new RelayEndpoint(relay, dev.junction.openai.relay.Endpoint.COMPLETIONS, metrics, config);
        var admin = Map.copyOf(builder.admin);
        var extraRoutes = List.copyOf(builder.routes);
        this.app = Javalin.create(javalin -> {
            javalin.concurrency.useVirtualThreads = true;
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            javalin.startup.startupWatcherEnabled = false;
            javalin.http.prefer405over404 = true;
            javalin.jetty.host = config.host();
            javalin.jetty.port = config.port();
            javalin.jetty.modifyServer(jetty -> {
                jetty.insertHandler(new GracefulHandler()); // on stop, waits for responses to complete
                jetty.setStopTimeout(DRAIN.toMillis());
                jetty.addEventListener(new LifeCycle.Listener() {
                    @Override
                    public void lifeCycleStarting(LifeCycle event) {
                        // the JDK's default listen backlog (50) resets connections in a burst of clients; a
                        // full queue is answered with 429 by the service, not by the kernel dropping them
                        for (Connector c : jetty.getConnectors()) {
                            if (c instanceof ServerConnector sc) sc.setAcceptQueueSize(ACCEPT_QUEUE);
                        }
                    }
                });
            });
            javalin.routes.get("/health", observed("/health", this::health));
            javalin.routes.get("/ready", observed("/ready", this::ready));
            javalin.routes.get("/metrics", observed("/metrics", this::scrape));
            javalin.routes.get("/v1/models", api("/v1/models", models::list));
            javalin.routes.get("/v1/models/<id>", api("/v1/models/<id>", models::one));
            javalin.routes.post("/v1/chat/completions", api("/v1/chat/completions", chat));
            javalin.routes.post("/v1/completions", api("/v1/completions", completions));
            admin.forEach((path, view) -> javalin.routes.get(path, observed(path, ctx -> admin(ctx, view))));
            for (ExtraRoute r : extraRoutes) javalin.routes.addHttpHandler(r.method(), r.path(), extra(r));
            javalin.routes.exception(HttpResponseException.class, this::routingError);
            javalin.routes.exception(Exception.class, (e, ctx) -> respond(ctx, e));
        });
        app.start();
        this.host = config.host();
        this.port = app.port();
        log.info("Serving {} on {}", relay != null ? relay.models()
                : service.models().stream().map(m -> m.id()).toList(), baseUri());
    }

    /** The port bound (the chosen one when the configuration said 0). */
    public int port() {
        return port;
    }

    /** {@code http://host:port}; the OpenAI base URL is this plus {@code /v1}. */
    public URI baseUri() {
        String shown = switch (host) {
            case "0.0.0.0", "::", "" -> "127.0.0.1"; // bound to every interface: loopback is one of them
            default -> host.contains(":") ? "[" + host + "]" : host;
        };
        return URI.create("http://" + shown + ":" + port);
    }

    /** The registry behind {@code /metrics}; other modules may add their meters to it. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /**
     * Stops: no new connections are accepted and new requests on open ones get 503; running generations get up to
     * {@code graceMillis} to finish ({@link InferenceService#shutdown}), then what is left is cancelled and the
     * server closes. Returns when it has. Later calls do nothing.
     */
    public void stop(long graceMillis) {
        if (!stopping.compareAndSet(false, true)) return;
        log.info("Stopping with {} ms grace", graceMillis);
        for (Connector connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof NetworkConnector network) network.close();
        }
        try {
            if (relay != null) awaitRelay(graceMillis);
            service.shutdown(graceMillis);
        } finally {
            app.stop();
        }
    }

    /** Gives relayed calls under way (streams from remote suppliers among them) the grace period to end. */
    private void awaitRelay(long graceMillis) {
        try {
            if (!relay.awaitIdle(graceMillis)) log.info("Relayed calls still under way after the grace period");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops with no grace: running generations are cancelled. */
    @Override
    public void close() {
        stop(0);
    }

    private void health(Context ctx) {
        ctx.contentType(JSON).result("{\"status\":\"ok\"}");
    }

    private void ready(Context ctx) {
        boolean ready = !stopping.get() && service.ready();
        ctx.status(ready ? 200 : 503).contentType(JSON)
                .result(ready ? "{\"status\":\"ready\"}" : "{\"status\":\"unavailable\"}");
    }

    private void scrape(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
    }

    /** An operator's view, for loopback clients only (until the business edition adds admin keys). */
    private void admin(Context ctx, Supplier<Object> view) throws UnknownHostException {
        if (!InetAddress.getByName(ctx.ip()).isLoopbackAddress()) {
            throw new ApiException(403, new ApiError("Admin endpoints answer only on the loopback interface.",
                    ApiError.INVALID_REQUEST, null, "forbidden"));
        }
        ctx.contentType(JSON).result(OpenAiJson.write(view.get()));
    }

    /** Times the route and counts it by status; renders any failure as an OpenAI error first. */
    private Handler observed(String route, Handler handler) {
        return ctx -> {
            Instant start = metrics.now();
            try {
                handler.handle(ctx);
            } catch (Exception e) {
                respond(ctx, e);
            } finally {
                metrics.request(ctx.method().name(), route, ctx.statusCode(), Duration.between(start, metrics.now()));
            }
        };
    }

    /** A {@code /v1} route: refused while stopping, passed through the interceptors. */
    private Handler api(String route, Endpoint endpoint) {
        return observed(route, ctx -> {
            Instant start = metrics.now();
            var call = new ApiCall(ctx.method().name(), route, ctx::header, ctx.ip(), ctx::header);
            call.onBodyRead(c -> {
                for (RequestInterceptor interceptor : interceptors) interceptor.onBody(c);
            });
            Usage usage = null;
            try {
                if (stopping.get()) throw ApiException.unavailable("The server is shutting down.");
                for (RequestInterceptor interceptor : interceptors) interceptor.onRequest(call);
                usage = endpoint.serve(ctx, call);
            } catch (Exception e) {
                respond(ctx, e);
            } finally {
                int status = ctx.statusCode();
                if (status == ClientDisconnected.STATUS) call.clientLeft();
                if (status >= 500) call.failedMidway();
                var outcome = new ApiOutcome(status, call.model(), usage, call.supplier(),
                        call.firstTokenAt() == null ? null : Duration.between(start, call.firstTokenAt()),
                        Duration.between(start, metrics.now()), call.ending());
                for (int i = interceptors.size() - 1; i >= 0; i--) {
                    try {
                        interceptors.get(i).onResponse(call, outcome);
                    } catch (RuntimeException e) {
                        log.error("Interceptor {} failed after a response", interceptors.get(i), e);
                    }
                }
            }
        });
    }

    /** Answers a failure with its OpenAI error body, unless a stream has already started. */
    private void respond(Context ctx, Exception failure) {
        if (failure instanceof ClientDisconnected) {
            log.debug("The client of {} {} hung up before its request was read", ctx.method().name(), ctx.path());
            metrics.clientDisconnected();
            if (!ctx.res().isCommitted()) ctx.status(ClientDisconnected.STATUS);
            return;
        }
        ApiException error = switch (failure) {
            case ApiException e -> e;
            case InvalidRequestException e -> ApiException.from(e);
            case InferenceException e -> {
                if (e.kind() == InferenceException.Kind.INTERNAL) log.error("The service failed", e);
                yield ApiException.from(e);
            }
            case InterruptedException e -> {
                Thread.currentThread().interrupt();
                yield ApiException.unavailable("The server is shutting down.");
            }
            default -> {
                log.error("Unexpected failure serving {} {}", ctx.method().name(), ctx.path(), failure);
                yield ApiException.internal();
            }
        };
        if (ctx.res().isCommitted()) return;
        if (error.retryAfterSeconds() > 0) ctx.header("Retry-After", Integer.toString(error.retryAfterSeconds()));
        ctx.status(error.status()).contentType(JSON).result(OpenAiJson.write(error.error().body()));
    }

    /** No route for the path (404) or not for this method (405), in the OpenAI error shape. */
    private void routingError(HttpResponseException e, Context ctx) {
        String request = ctx.method().name() + " " + ctx.path();
        ApiException error = switch (e) {
            case MethodNotAllowedResponse m -> {
                String allowed = m.getDetails().get("availableMethods");
                if (allowed != null) ctx.header("Allow", allowed);
                yield new ApiException(405, new ApiError("Method not allowed (" + request + ")",
                        ApiError.INVALID_REQUEST, null, "method_not_allowed"));
            }
            default -> e.getStatus() == 404
                    ? new ApiException(404, new ApiError("Invalid URL (" + request + ")", ApiError.INVALID_REQUEST,
                    null, "unknown_url"))
                    : new ApiException(e.getStatus(), new ApiError(e.getMessage(), ApiError.INVALID_REQUEST, null,
                    null));
        };
        respond(ctx, error);
        metrics.request(ctx.method().name(), "unmatched", error.status(), Duration.ZERO);
    }

    private record ExtraRoute(io.javalin.http.HandlerType method, String path, Handler handler) {
    }

    /** A route added with {@link Builder#route}: refused while stopping. */
    private Handler extra(ExtraRoute r) {
        return observed(r.path(), ctx -> {
            if (stopping.get()) throw ApiException.unavailable("The server is shutting down.");
            r.handler().handle(ctx);
        });
    }

    /** How to start a server with more than the defaults. */
    public static final class Builder {
        private final InferenceService service;
        private ServerConfig config = ServerConfig.defaults();
        private PrometheusMeterRegistry registry;
        private final List<RequestInterceptor> interceptors = new ArrayList<>();
        private InstantSource clock = InstantSource.system();
        private Relay relay;
        private final Map<String, Supplier<Object>> admin = new LinkedHashMap<>();
        private final List<ExtraRoute> routes = new ArrayList<>();

        private Builder(InferenceService service) {
            this.service = Objects.requireNonNull(service, "service");
        }

        public Builder config(ServerConfig c) {
            this.config = Objects.requireNonNull(c);
            return this;
        }

        /** The registry {@code /metrics} shows (default: a fresh one). */
        public Builder meterRegistry(PrometheusMeterRegistry r) {
            this.registry = Objects.requireNonNull(r);
            return this;
        }

        /** Adds an interceptor after those already added. */
        public Builder interceptor(RequestInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor));
            return this;
        }

        /** The clock for {@code created} timestamps and latency metrics (default: the system clock). */
        public Builder clock(InstantSource c) {
            this.clock = Objects.requireNonNull(c);
            return this;
        }

        /**
         * Hands {@code /v1/chat/completions} and {@code /v1/completions} to {@code r} (the supplier router) at the
         * wire level, and lists its models on {@code /v1/models}; the service still answers {@code /ready} and its
         * figures still reach {@code /metrics}.
         */
        public Builder relay(Relay r) {
            this.relay = Objects.requireNonNull(r);
            return this;
        }

        /**
         * Serves {@code view} as JSON at {@code GET path} (e.g. {@code /admin/v1/suppliers}) to loopback clients
         * only; others get 403.
         */
        public Builder admin(String path, Supplier<Object> view) {
            if (!path.startsWith("/admin/")) throw new IllegalArgumentException("not under /admin/: " + path);
            admin.put(path, Objects.requireNonNull(view));
            return this;
        }

        /**
         * Serves {@code handler} at {@code method path} (e.g. the business edition's {@code /admin/v1/...} and
         * {@code /v1/usage}): timed and counted like every route, refused with 503 while stopping, its
         * {@link ApiException}s answered as OpenAI errors. No interceptor runs: the handler authenticates itself.
         */
        public Builder route(io.javalin.http.HandlerType method, String path, Handler handler) {
            routes.add(new ExtraRoute(method, path, Objects.requireNonNull(handler)));
            return this;
        }

        /** Binds the port and starts serving. */
        public OpenAiServer start() {
            return new OpenAiServer(this);
        }
    }
}
