package dev.junction.cli;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.MetadataValue;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.engine.tensor.GgmlType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code junction info MODEL}: what a GGUF file holds, without running it. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Print a model's architecture, size, quantization mix and key metadata.")
final class InfoCommand implements Callable<Integer> {
    private final Environment env;

    InfoCommand(Environment env) {
        this.env = env;
    }

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "GGUF file (default: the embedded model)")
    String model;

    @Option(names = "--all", description = "Print every metadata key (long arrays summarised) and every tensor.")
    boolean all;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile file = GgufFile.open(env.model(model))) {
            var meta = file.metadata();
            String arch = meta.getString("general.architecture").orElse("(none)");
            long params = 0, bytes = 0;
            Map<GgmlType, long[]> mix = new TreeMap<>();
            for (TensorInfo t : file.tensors().values()) {
                params += t.elementCount();
                bytes += t.byteSize();
                long[] m = mix.computeIfAbsent(t.type(), k -> new long[3]);
                m[0]++;
                m[1] += t.elementCount();
                m[2] += t.byteSize();
            }
            out.printf("file:          %s%n", file.path());
            out.printf("format:        GGUF v%d, %s, %d tensors, %d metadata keys%n", file.version(),
                    Units.bytes(file.fileSize()), file.tensors().size(), meta.asMap().size());
            out.printf("name:          %s%n", meta.getString("general.name").orElse("(none)"));
            out.printf("architecture:  %s%n", arch);
            out.printf("parameters:    %s (%s of weights, %.2f bits per weight)%n", Units.count(params),
                    Units.bytes(bytes), params == 0 ? 0.0 : 8.0 * bytes / params);
            out.println("quantization:");
            for (var e : mix.entrySet()) {
                out.printf("  %-6s %4d tensors  %10s params  %10s%n", e.getKey(), e.getValue()[0],
                        Units.count(e.getValue()[1]), Units.bytes(e.getValue()[2]));
            }
            out.println("metadata:");
            for (String key : new String[]{"context_length", "embedding_length", "block_count", "feed_forward_length",
                    "attention.head_count", "attention.head_count_kv", "attention.key_length",
                    "attention.layer_norm_rms_epsilon", "rope.freq_base", "rope.dimension_count", "rope.scaling.type",
                    "vocab_size"}) {
                meta.get(arch + "." + key).ifPresent(v -> out.printf("  %-40s %s%n", arch + "." + key, v));
            }
            for (String key : new String[]{"general.file_type", "general.quantization_version", "general.alignment",
                    "tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.bos_token_id",
                    "tokenizer.ggml.eos_token_id", "tokenizer.ggml.add_bos_token"}) {
                meta.get(key).ifPresent(v -> out.printf("  %-40s %s%n", key, v));
            }
            meta.getStringArray("tokenizer.ggml.tokens").ifPresent(t -> out.printf("  %-40s %d%n", "vocabulary size", t.length));
            out.printf("  %-40s %s%n", "chat template",
                    meta.getString("tokenizer.chat_template").map(s -> "yes (" + s.length() + " chars)").orElse("none"));
            if (all) {
                out.println("all metadata:");
                for (Map.Entry<String, MetadataValue> e : meta.asMap().entrySet()) {
                    out.printf("  %-40s %s%n", e.getKey(), abbreviate(e.getValue()));
                }
                out.println("tensors:");
                for (TensorInfo t : file.tensors().values()) out.printf("  %s%n", t);
            }
        }
        return 0;
    }

    private static String abbreviate(MetadataValue v) {
        String s = v.toString().replace("\n", "\\n");
        return s.length() > 100 ? s.substring(0, 97) + "..." : s;
    }
}
