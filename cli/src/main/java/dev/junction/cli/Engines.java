package dev.junction.cli;

import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.Model;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.engine.runtime.LocalInferenceService;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** The local models of a {@code serve}, loaded, each with its engine and thread pool, behind one directory. */
final class Engines implements AutoCloseable {
    private final List<Model> models;
    private final List<Parallel> pools;
    private final ModelDirectory directory;

    private Engines(List<Model> models, List<Parallel> pools, ModelDirectory directory) {
        this.models = models;
        this.pools = pools;
        this.directory = directory;
    }

    /** Loads each model (progress on {@code err}) and starts its engine; none for a router without local models. */
    static Engines start(List<Serving.NamedModel> models, EngineConfig engine, int threads, boolean mmap,
                         PrintWriter err) {
        List<Model> loaded = new ArrayList<>();
        List<Parallel> pools = new ArrayList<>(); // one per engine: an engine thread must be its pool's only user
        List<LocalInferenceService> services = new ArrayList<>();
        try {
            for (Serving.NamedModel m : models) {
                Model model = ModelOptions.load(m.path(), mmap, err);
                loaded.add(model);
                Parallel parallel = new Parallel(threads);
                pools.add(parallel);
                services.add(LocalInferenceService.start(m.name(), model, engine, parallel));
            }
            return new Engines(loaded, pools, new ModelDirectory(services));
        } catch (RuntimeException e) {
            services.forEach(s -> s.shutdown(0));
            pools.forEach(Parallel::close);
            loaded.forEach(Model::close);
            throw e;
        }
    }

    ModelDirectory directory() {
        return directory;
    }

    boolean any() {
        return !models.isEmpty();
    }

    /** Frees the thread pools and the models; the engines must have been shut down (the server does it). */
    @Override
    public void close() {
        directory.shutdown(0);
        pools.forEach(Parallel::close);
        models.forEach(Model::close);
    }
}
