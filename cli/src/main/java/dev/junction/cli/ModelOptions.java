package dev.junction.cli;

import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.KvCache;
import dev.junction.engine.model.Model;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/** Options shared by commands that run a model: threads, context size, KV cache type and {@code --mmap}. */
final class ModelOptions {
    @Option(names = {"-t", "--threads"}, description = "Threads for the kernels (default: all cores).")
    Integer threads;

    @Option(names = {"-c", "--ctx"}, description = "Context size in tokens (default: what the prompt and -n need, "
            + "at most the model's; 4096 for chat).")
    Integer ctx;

    @Mixin
    MmapOption mmap;

    @Option(names = "--cache-type", description = "KV cache element type: F32 (exact) or F16 (half the memory). "
            + "Default: ${DEFAULT-VALUE}.")
    KvCache.Type cacheType = KvCache.Type.F32;

    Parallel parallel() {
        return new Parallel(threads != null ? threads : Parallel.defaultThreads());
    }

    Model load(Path path, PrintWriter err) {
        return load(path, mmap.enabled, err);
    }

    /** Loads a model file with a progress bar on {@code err}. */
    static Model load(Path path, boolean mmap, PrintWriter err) {
        ProgressBar bar = new ProgressBar(err, "loading " + path.getFileName(), ProgressBar.Style.detect());
        Model model = Model.load(path, mmap, bar);
        bar.finish();
        return model;
    }

    /** The context to allocate: {@code --ctx} if given, else {@code wanted}, never beyond the model's maximum. */
    int context(Model model, int wanted) {
        int max = model.config().contextLength();
        if (ctx != null) {
            if (ctx < 1) throw new IllegalArgumentException("--ctx must be positive, got " + ctx);
            return ctx;
        }
        return Math.min(wanted, max);
    }
}
