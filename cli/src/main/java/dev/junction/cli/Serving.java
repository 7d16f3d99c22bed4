package dev.junction.cli;

import dev.junction.engine.runtime.EngineConfig;
import dev.junction.inference.ModelInfo;
import dev.junction.inference.ServiceStats;
import dev.junction.router.SupplierRouter;
import dev.junction.server.OpenAiServer;
import dev.junction.server.ServerConfig;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A running {@code junction serve}: models loaded, one engine per model, the HTTP server in front — serving the
 * local models directly, or, with a routing configuration, the {@link Routing} of its public models over their
 * suppliers. The wiring lives here (not in the command) so tests start exactly what users run, on a free port.
 */
final class Serving implements AutoCloseable {
    /** A model file and the name requests use for it. */
    record NamedModel(String name, Path path) {
    }

    private final Engines engines;
    private final OpenAiServer server;
    private final Optional<Routing> routing;
    private final Front front;
    private boolean stopped;

    private Serving(Engines engines, OpenAiServer server, Optional<Routing> routing, Front front) {
        this.engines = engines;
        this.server = server;
        this.routing = routing;
        this.front = front;
    }

    /** Loads each model (progress on {@code err}), starts its engine, then the server in front of them. */
    static Serving start(List<NamedModel> models, EngineConfig engine, ServerConfig serverConfig, int threads,
                         boolean mmap, PrintWriter err) {
        return start(models, engine, serverConfig, threads, mmap, err, Front.OPEN);
    }

    /** As above, with {@code front} (the business edition) in front of the models. */
    static Serving start(List<NamedModel> models, EngineConfig engine, ServerConfig serverConfig, int threads,
                         boolean mmap, PrintWriter err, Front front) {
        Engines engines = Engines.start(models, engine, threads, mmap, err);
        try {
            OpenAiServer.Builder builder = OpenAiServer.builder(engines.directory()).config(serverConfig);
            front.install(builder, Optional.empty());
            return new Serving(engines, builder.start(), Optional.empty(), front);
        } catch (RuntimeException e) {
            engines.close();
            throw e;
        }
    }

    /**
     * Loads the local supplier's models and serves the public models of the configuration file through the router
     * (see {@link Routing}).
     */
    static Serving startRouted(Path configFile, java.util.Map<String, String> environment, List<NamedModel> models,
                               EngineConfig engine, ServerConfig serverConfig, int threads, boolean mmap,
                               PrintWriter err) throws dev.junction.router.config.ConfigException {
        return startRouted(configFile, environment, models, engine, serverConfig, threads, mmap, err, Front.OPEN);
    }

    /** As above, with {@code front} (the business edition) in front of the router. */
    static Serving startRouted(Path configFile, java.util.Map<String, String> environment, List<NamedModel> models,
                               EngineConfig engine, ServerConfig serverConfig, int threads, boolean mmap,
                               PrintWriter err, Front front) throws dev.junction.router.config.ConfigException {
        Engines engines = Engines.start(models, engine, threads, mmap, err);
        try {
            Routing routing = Routing.start(configFile, environment, engines, serverConfig, front);
            return new Serving(engines, routing.server(), Optional.of(routing), front);
        } catch (RuntimeException | dev.junction.router.config.ConfigException e) {
            engines.close();
            throw e;
        }
    }

    URI baseUri() {
        return server.baseUri();
    }

    int port() {
        return server.port();
    }

    /** The public model names: the local models', or the routed ones. */
    List<String> modelNames() {
        return routing.map(r -> r.router().models())
                .orElseGet(() -> engines.directory().models().stream().map(ModelInfo::id).toList());
    }

    /** The router, when serving a routing configuration. */
    Optional<SupplierRouter> router() {
        return routing.map(Routing::router);
    }

    /** Reads the configuration file again now (what SIGHUP does). */
    void reload() {
        routing.ifPresent(Routing::reload);
    }

    /** The engines' figures, summed over the models. */
    ServiceStats stats() {
        return engines.directory().stats();
    }

    /**
     * Stops accepting, lets running requests finish for up to {@code graceMillis} (the server shuts the engines
     * down), cuts the rest, flushes the front's usage records, then frees the thread pools and the models.
     */
    synchronized void stop(long graceMillis) {
        if (stopped) return;
        stopped = true;
        server.stop(graceMillis);
        routing.ifPresent(Routing::close);
        front.close(); // after the server: the last requests' usage is flushed
        engines.close();
    }

    @Override
    public void close() {
        stop(0);
    }
}
