package dev.junction.cli;

import dev.junction.engine.model.SyntheticModel;
import dev.junction.engine.tensor.GgmlType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code junction gguf}: tools for GGUF files. */
@Command(name = "gguf", mixinStandardHelpOptions = true, description = "GGUF file tools.", subcommands = GgufCommand.Synth.class)
final class GgufCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code junction gguf synth}: a random-weight model of any shape and type, for benchmarks and tests. */
    @Command(name = "synth", mixinStandardHelpOptions = true, description = "Write a random-weight model of a given shape and type (seeded).")
    static final class Synth implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--preset", description = "Start from a named shape: bench-small, bench-1b, llama-3.2-1b, "
                + "llama-3.2-3b, llama-3.1-8b, qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-7b.")
        String preset;
        @Option(names = "--arch", description = "Architecture: llama, qwen2, qwen3 (the MoE and Gemma architectures come with their presets).") String arch;
        @Option(names = "--hidden") Integer hidden;
        @Option(names = "--layers") Integer layers;
        @Option(names = "--heads") Integer heads;
        @Option(names = "--kv-heads") Integer kvHeads;
        @Option(names = "--ffn") Integer ffn;
        @Option(names = "--vocab", description = "Size of the synthetic vocabulary (ignored with --vocab-from).")
        Integer vocab;
        @Option(names = "--ctx", description = "context_length written to the metadata") Integer ctx;
        @Option(names = "--tied", description = "Tie the output projection to the token embedding.") Boolean tied;
        @Option(names = "--type", description = "Type of every matrix (default F16), or the mix Q4_K_M, Q3_K_M or MXFP4_MOE (experts MXFP4, other matrices Q8_0).") String type;
        @Option(names = "--output-type", description = "Type of the output matrix (default: --type).") String outputType;
        @Option(names = "--vocab-from", description = "Copy the tokenizer of this GGUF (e.g. a vocab-only file).")
        Path vocabFrom;
        @Option(names = "--seed", description = "Seed of the weights (default 42).") Long seed;
        @Option(names = {"-o", "--output"}, required = true, description = "File to write.") Path output;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            SyntheticModel base = preset == null ? SyntheticModel.PRESETS.get("bench-small")
                    : SyntheticModel.PRESETS.get(preset);
            if (base == null) {
                throw new IllegalArgumentException("unknown preset " + preset + " (known: "
                        + String.join(", ", new java.util.TreeSet<>(SyntheticModel.PRESETS.keySet())) + ")");
            }
            if (preset == null && (hidden == null || layers == null || heads == null || ffn == null)) {
                throw new IllegalArgumentException("give --preset, or at least --hidden, --layers, --heads and --ffn");
            }
            SyntheticModel model = new SyntheticModel(arch != null ? arch : base.architecture(),
                    or(hidden, base.hidden()), or(layers, base.layers()), or(heads, base.heads()),
                    or(kvHeads, heads != null ? heads : base.kvHeads()), or(ffn, base.ffn()), or(vocab, base.vocab()),
                    or(ctx, base.context()), base.ropeBase(), tied != null ? tied : base.tiedEmbeddings(),
                    GgmlType.F16, null, null, vocabFrom, seed != null ? seed : base.seed(), base.sigma(), base.shape());
            model = "Q4_K_M".equalsIgnoreCase(type) ? model.withQ4KM()
                    : "Q3_K_M".equalsIgnoreCase(type) ? model.withQ3KM()
                    : "MXFP4_MOE".equalsIgnoreCase(type) ? model.withMxfp4Moe()
                    : model.withType(type(type, GgmlType.F16), outputType == null ? null : type(outputType, null));
            ProgressBar bar = new ProgressBar(err, "writing " + output.getFileName(), ProgressBar.Style.detect());
            model.write(output, bar);
            bar.finish();
            err.printf("wrote %s: %s parameters%n", output, Units.count(model.parameterCount()));
            return 0;
        }

        private static int or(Integer value, int fallback) {
            return value != null ? value : fallback;
        }

        private static GgmlType type(String name, GgmlType fallback) {
            if (name == null) return fallback;
            try {
                GgmlType t = GgmlType.valueOf(name.toUpperCase(Locale.ROOT));
                if (!t.supported()) throw new IllegalArgumentException("type " + name + " has no kernels");
                return t;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown or unsupported tensor type " + name);
            }
        }
    }
}
