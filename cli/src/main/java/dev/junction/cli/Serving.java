package dev.junction.cli;

import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.Model;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.engine.runtime.LocalInferenceService;
import dev.junction.inference.ModelInfo;
import dev.junction.inference.ServiceStats;
import dev.junction.server.OpenAiServer;
import dev.junction.server.ServerConfig;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A running {@code junction serve}: models loaded, one engine per model, the HTTP server in front. The wiring lives
 * here (not in the command) so tests start exactly what users run, on a free port.
 */
final class Serving implements AutoCloseable {
    /** A model file and the name requests use for it. */
    record NamedModel(String name, Path path) {
    }

    private final List<Model> models;
    private final List<Parallel> pools;
    private final ModelDirectory directory;
    private final OpenAiServer server;
    private boolean stopped;

    private Serving(List<Model> models, List<Parallel> pools, ModelDirectory directory, OpenAiServer server) {
        this.models = models;
        this.pools = pools;
        this.directory = directory;
        this.server = server;
    }

    /** Loads each model (progress on {@code err}), starts its engine, then the server. */
    static Serving start(List<NamedModel> models, EngineConfig engine, ServerConfig serverConfig, int threads,
                         boolean mmap, PrintWriter err) {
        List<Model> loaded = new ArrayList<>();
        List<Parallel> pools = new ArrayList<>(); // one per engine: an engine thread must be its pool's only user
        List<LocalInferenceService> services = new ArrayList<>();
        try {
            for (NamedModel m : models) {
                Model model = ModelOptions.load(m.path(), mmap, err);
                loaded.add(model);
                Parallel parallel = new Parallel(threads);
                pools.add(parallel);
                services.add(LocalInferenceService.start(m.name(), model, engine, parallel));
            }
            ModelDirectory directory = new ModelDirectory(services);
            OpenAiServer server = OpenAiServer.start(serverConfig, directory);
            return new Serving(loaded, pools, directory, server);
        } catch (RuntimeException e) {
            services.forEach(s -> s.shutdown(0));
            pools.forEach(Parallel::close);
            loaded.forEach(Model::close);
            throw e;
        }
    }

    URI baseUri() {
        return server.baseUri();
    }

    int port() {
        return server.port();
    }

    List<String> modelNames() {
        return directory.models().stream().map(ModelInfo::id).toList();
    }

    /** The engines' figures, summed over the models. */
    ServiceStats stats() {
        return directory.stats();
    }

    /**
     * Stops accepting, lets running requests finish for up to {@code graceMillis} (the server shuts the engines
     * down), cuts the rest, then frees the thread pools and the models.
     */
    synchronized void stop(long graceMillis) {
        if (stopped) return;
        stopped = true;
        server.stop(graceMillis);
        pools.forEach(Parallel::close);
        models.forEach(Model::close);
    }

    @Override
    public void close() {
        stop(0);
    }
}
