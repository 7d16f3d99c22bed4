package dev.junction.cli;

import dev.junction.engine.model.KvCache;
import dev.junction.gateway.GatewaySettings;
import dev.junction.gateway.db.DatabaseUrl;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.router.config.ConfigLoader;
import dev.junction.router.config.LocalModel;
import dev.junction.router.config.RouterConfig;
import dev.junction.router.config.SupplierConfig;
import dev.junction.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code junction serve}: the OpenAI-compatible HTTP server over local models, each with its own continuous-batching
 * engine. Runs until SIGINT or SIGTERM, then stops accepting, lets running requests finish for the grace period,
 * cuts what is left and exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Serve local models through the OpenAI API (chat completions, completions, models), with continuous "
                + "batching, a paged KV cache and prefix caching; /health, /ready and Prometheus /metrics.",
        "With --config junction.yaml it routes public models over several suppliers (this engine, any "
                + "OpenAI-compatible service, Azure OpenAI) with failover, capacity contracts and usage metering; "
                + "the file is reloaded when it changes and on SIGHUP. GET /admin/v1/suppliers (loopback only) shows "
                + "each supplier's state.",
        "Every option can also come from the environment (JUNCTION_<OPTION>, e.g. JUNCTION_PORT=9000) or from the "
                + "server: section of the configuration file (--config FILE or JUNCTION_CONFIG; e.g. max_queue: 32); "
                + "the command line wins, then the environment, then the file."})
final class ServeCommand implements Callable<Integer> {
    private final Environment env;

    ServeCommand(Environment env) {
        this.env = env;
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, split = "\\s*,\\s*", paramLabel = "NAME=PATH",
            description = "A model to serve, repeatable (or comma-separated); NAME defaults to the file name "
                    + "without .gguf (default: the embedded model, as '" + DefaultModel.NAME + "').")
    List<String> models;

    @Option(names = "--host", defaultValue = ServerConfig.DEFAULT_HOST,
            description = "Address to bind; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "8080", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-running", defaultValue = "16",
            description = "Sequences decoded together per model (default: ${DEFAULT-VALUE}).")
    int maxRunning;

    @Option(names = "--max-queue", defaultValue = "64",
            description = "Requests that may wait per model; beyond it, 429 with Retry-After (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--queue-timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "How long a request may wait to start before it fails with 503; 0 = no limit "
                    + "(default: ${DEFAULT-VALUE}).")
    int queueTimeoutSeconds;

    @Option(names = {"-c", "--ctx"}, defaultValue = "0",
            description = "Context per sequence in tokens; 0 = the model's, at most 4096 (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--kv-blocks", defaultValue = "0",
            description = "KV-cache blocks of 16 positions per model; 0 = enough for --max-running full contexts "
                    + "within half the memory the weights leave free (default: ${DEFAULT-VALUE}).")
    int kvBlocks;

    @Option(names = "--token-budget", defaultValue = "256",
            description = "Tokens one engine step computes at most (decodes, then prompt chunks) (default: ${DEFAULT-VALUE}).")
    int tokenBudget;

    @Option(names = "--cache-type", defaultValue = "F32",
            description = "KV cache element type: F32 or F16 (default: ${DEFAULT-VALUE}).")
    KvCache.Type cacheType;

    @Option(names = {"-t", "--threads"}, description = "Threads for the kernels (default: all cores).")
    Integer threads;

    @Mixin
    MmapOption mmap;

    @Option(names = "--grace", defaultValue = "30", paramLabel = "SECONDS",
            description = "On shutdown, how long running requests may finish before they are cut (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(names = "--auth", description = "The business edition: requests need an API key (Authorization: Bearer "
            + "jk-… or api-key), with per-key and per-organization limits, a usage ledger, an audit log and the admin "
            + "API under /admin/v1, on SQLite in the data folder or the database of --db.")
    boolean auth;

    @Option(names = "--no-auth", description = "Serve on a non-loopback address without keys (anyone who reaches the "
            + "port may use it); without this, binding beyond loopback needs --auth.")
    boolean noAuth;

    @Option(names = "--db", paramLabel = "URL", description = "The business edition's database: "
            + "postgresql://user:password@host:5432/junction for several nodes, or sqlite:FILE (default: "
            + "junction.db in the data folder).")
    String db;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration: a server: section of option "
            + "defaults, and suppliers: and models: to route.")
    Path config;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (auth && noAuth) throw new IllegalArgumentException("--auth and --no-auth exclude each other");
        if (!auth && !noAuth && !Hosts.isLoopback(host)) {
            err.printf("junction: refusing to serve on %s without authentication: anyone who can reach it could use "
                    + "it. Add --auth (API keys, limits, metering) or --no-auth (open to all).%n", host);
            err.flush();
            return 2;
        }
        EngineConfig engine = engineConfig();
        ServerConfig server = ServerConfig.defaults().withHost(host).withPort(port);
        int threadCount = threads != null ? threads : dev.junction.engine.kernel.Parallel.defaultThreads();
        Optional<Path> file = config != null ? Optional.of(config)
                : ConfigDefaults.configFile(new String[0], env.variables());
        Optional<RouterConfig> routing = file.isEmpty() ? Optional.empty()
                : Optional.of(new ConfigLoader(env.variables()).load(file.get())).filter(RouterConfig::routes);
        Front front = auth ? openGateway(err) : Front.OPEN;
        Serving started;
        try {
            started = routing.isPresent()
                    ? Serving.startRouted(file.get(), env.variables(), localModels(routing.get()), engine, server,
                    threadCount, mmap.enabled, err, front)
                    : Serving.start(namedModels(), engine, server, threadCount, mmap.enabled, err, front);
        } catch (RuntimeException | dev.junction.router.config.ConfigException e) {
            front.close();
            throw e;
        }
        try (Serving serving = started) {
            err.printf("serving %s on %s (OpenAI API under /v1; /health, /ready, /metrics%s)%n",
                    String.join(", ", serving.modelNames()), serving.baseUri(),
                    auth ? "; API keys required, admin API under /admin/v1" : "");
            err.flush();
            Signals.awaitTermination();
            err.printf("shutting down: finishing running requests (up to %d s)…%n", graceSeconds);
            err.flush();
            serving.stop(graceSeconds * 1000L);
        }
        err.println("stopped");
        err.flush();
        return 0;
    }

    /**
     * The business edition on {@code --db} (default: SQLite in the data folder), with the instance administrator's
     * key from {@code JUNCTION_ADMIN_KEY}, or made now and shown this once.
     */
    private GatewayFront openGateway(PrintWriter err) {
        DatabaseUrl url = db == null || db.isBlank() ? DatabaseUrl.sqlite(env.home().resolve("junction.db"))
                : DatabaseUrl.parse(db);
        GatewayFront front = GatewayFront.open(GatewaySettings.defaults(url, Hosts.nodeName()));
        try {
            Optional<String> made = front.gateway().ensureInstanceKey(
                    Optional.ofNullable(env.variables().get("JUNCTION_ADMIN_KEY")).filter(k -> !k.isBlank()));
            made.ifPresent(secret -> err.printf("The instance administrator's key (shown only now; keep it, or set "
                    + "JUNCTION_ADMIN_KEY): %s%n", secret));
            err.printf("business edition on %s%n", url);
            err.flush();
            return front;
        } catch (RuntimeException e) {
            front.close();
            throw e;
        }
    }

    /** The models of {@code --model}, or the embedded one. */
    private List<Serving.NamedModel> namedModels() {
        List<Serving.NamedModel> named = new ArrayList<>();
        for (String spec : models == null || models.isEmpty() ? List.of("") : models) {
            named.add(parse(spec, env.home()));
        }
        return named;
    }

    /** The models the file's local supplier loads (none when it has none). */
    private List<Serving.NamedModel> localModels(RouterConfig c) {
        List<Serving.NamedModel> named = new ArrayList<>();
        for (SupplierConfig s : c.suppliers().values()) {
            if (!(s instanceof SupplierConfig.Local local)) continue;
            local.models().forEach((name, model) -> named.add(new Serving.NamedModel(name, switch (model) {
                case LocalModel.Embedded e -> DefaultModel.path(env.home());
                case LocalModel.GgufFile f -> f.path();
            })));
        }
        return named;
    }

    EngineConfig engineConfig() {
        return EngineConfig.defaults().withMaxRunning(maxRunning).withMaxQueue(maxQueue)
                .withQueueTimeout(Duration.ofSeconds(queueTimeoutSeconds)).withContextLength(ctx)
                .withKvBlocks(kvBlocks).withTokenBudget(Math.max(tokenBudget, maxRunning)).withCacheType(cacheType);
    }

    /** {@code NAME=PATH}, {@code PATH}, or empty for the embedded model (extracted into the data folder home). */
    static Serving.NamedModel parse(String spec, Path home) {
        if (spec.isBlank()) return new Serving.NamedModel(DefaultModel.NAME, DefaultModel.path(home));
        int eq = spec.indexOf('=');
        if (eq == 0) throw new IllegalArgumentException("--model " + spec + ": the name before '=' is empty");
        String pathPart = eq > 0 ? spec.substring(eq + 1) : spec;
        Path path = Path.of(pathPart);
        String name = eq > 0 ? spec.substring(0, eq) : path.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
        return new Serving.NamedModel(name, path);
    }
}
