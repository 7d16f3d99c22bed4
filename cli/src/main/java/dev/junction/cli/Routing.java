package dev.junction.cli;

import dev.junction.router.SupplierRouter;
import dev.junction.router.config.ConfigException;
import dev.junction.router.config.ConfigLoader;
import dev.junction.router.config.ConfigWatcher;
import dev.junction.router.config.RouterConfig;
import dev.junction.router.config.SupplierConfig;
import dev.junction.server.OpenAiServer;
import dev.junction.server.ServerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

/**
 * {@code serve --config junction.yaml} with suppliers and models: the {@link SupplierRouter} behind the public
 * server, the local engines (if the file has a {@code local} supplier) served to the router on a loopback port of
 * their own, and the file watched — a change (or SIGHUP) swaps the routes at once without touching requests under way;
 * a broken file keeps the running configuration and logs why. The {@code server:} section and the local supplier's
 * models are read at start only: changing them needs a restart, which the log says.
 */
final class Routing implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Routing.class);
    static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

    private final Optional<OpenAiServer> localHop;
    private final SupplierRouter router;
    private final OpenAiServer server;
    private final ConfigWatcher watcher;

    private Routing(Optional<OpenAiServer> localHop, SupplierRouter router, OpenAiServer server,
                    ConfigWatcher watcher) {
        this.localHop = localHop;
        this.router = router;
        this.server = server;
        this.watcher = watcher;
    }

    static Routing start(Path file, Map<String, String> environment, Engines engines, ServerConfig serverConfig,
                         Front front) throws ConfigException {
        ConfigLoader loader = new ConfigLoader(environment);
        Reloads reloads = new Reloads(front);
        ConfigWatcher watcher = new ConfigWatcher(file, loader::load, reloads);
        RouterConfig config = watcher.current();
        Optional<OpenAiServer> localHop = Optional.empty();
        SupplierRouter router = null;
        try {
            if (engines.any()) {
                localHop = Optional.of(OpenAiServer.start(ServerConfig.defaults().withHost("127.0.0.1").withPort(0)
                        .withMaxRequestBytes(serverConfig.maxRequestBytes()), engines.directory()));
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            router = new SupplierRouter(config, localHop.map(s -> URI.create(s.baseUri() + "/v1")), registry,
                    InstantSource.system(), front.contracts());
            SupplierRouter r = router;
            OpenAiServer.Builder builder = OpenAiServer.builder(engines.directory()).config(serverConfig)
                    .meterRegistry(registry).relay(router).admin("/admin/v1/suppliers", r::view);
            front.install(builder, Optional.of(router));
            OpenAiServer server = builder.start();
            reloads.start(config, router);
            watcher.start(WATCH_INTERVAL);
            router.startProbes(PROBE_INTERVAL);
            Routing routing = new Routing(localHop, router, server, watcher);
            Signals.onHangUp(routing::reload);
            return routing;
        } catch (RuntimeException e) {
            watcher.close();
            if (router != null) router.close();
            localHop.ifPresent(s -> s.stop(0));
            throw e;
        }
    }

    OpenAiServer server() {
        return server;
    }

    SupplierRouter router() {
        return router;
    }

    /** Reads the file now; the outcome is logged. */
    void reload() {
        watcher.reloadNow();
    }

    /** After the public server has stopped (its grace given to requests under way). */
    @Override
    public void close() {
        watcher.close();
        router.close();
        localHop.ifPresent(s -> s.stop(0));
    }

    /** Applies each good new file to the router; says what it cannot apply without a restart. */
    private static final class Reloads implements ConfigWatcher.Listener {
        private final Front front;
        private RouterConfig started;
        private SupplierRouter router;

        Reloads(Front front) {
            this.front = front;
        }

        synchronized void start(RouterConfig config, SupplierRouter r) {
            this.started = config;
            this.router = r;
        }

        @Override
        public synchronized void applied(RouterConfig config) {
            if (router == null) return;
            if (!config.routes()) {
                log.error("The configuration file no longer routes any model; keeping the running routes");
                return;
            }
            if (!config.server().equals(started.server())) {
                log.warn("The server: section changed; it takes effect at the next start");
            }
            if (!localModels(config).equals(localModels(started))) {
                log.warn("The local supplier's models changed; they are loaded at the next start");
            }
            try {
                router.apply(config);
                front.reloaded(Map.of("models", config.models().size(), "suppliers", config.suppliers().size()));
            } catch (RuntimeException e) {
                log.error("The new configuration could not be applied; keeping the running one: {}", e.getMessage());
            }
        }

        @Override
        public void rejected(ConfigException error) {
            log.error("The configuration file cannot be used; keeping the running configuration:\n{}",
                    error.getMessage());
        }

        private static Object localModels(RouterConfig c) {
            return c.suppliers().values().stream().filter(s -> s instanceof SupplierConfig.Local)
                    .map(s -> ((SupplierConfig.Local) s).models()).toList();
        }
    }
}
