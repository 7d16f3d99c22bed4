package dev.junction.engine.model;

import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.GgufWriter;
import dev.junction.engine.gguf.MetadataValue;
import dev.junction.engine.tensor.GgmlType;
import dev.junction.engine.tensor.QuantFormat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Writes random-weight models of any supported architecture's shape and type, so speed can be measured on the shapes of real
 * models without downloading them (speed does not depend on the weights' values) and every quantization type can be
 * checked end to end. Weights are N(0, σ) from a seeded generator, norms are 1; the same spec and seed give the
 * same file.
 *
 * @param type       type of every matrix; {@code outputType} of the output projection (null: same as type)
 * @param moreBitsType type of {@code attn_v} and {@code ffn_down} in the layers llama.cpp's "_M" mixes give more bits
 *                     (with Q3_K: see {@link #withQ3KM}; with MXFP4: the type of every matrix but the experts)
 *                   (the first and last eighth, and every third between; null: no such layers): Q4_K_M is Q4_K with
 *                   Q6_K here and in the output. With {@code type} Q3_K the rule is Q3_K_M's instead ({@link #withQ3KM})
 * @param vocabFrom  a GGUF whose {@code tokenizer.*} metadata is copied (its vocabulary size wins); null: a
 *                   synthetic SentencePiece vocabulary of {@code vocab} tokens (special, 256 byte tokens, filler)
 * @param shape      what the newer architectures add: head size, experts, sliding window
 */
public record SyntheticModel(String architecture, int hidden, int layers, int heads, int kvHeads, int ffn, int vocab,
                             int context, float ropeBase, boolean tiedEmbeddings, GgmlType type, GgmlType outputType,
                             GgmlType moreBitsType, Path vocabFrom, long seed, float sigma, Shape shape) {

    /**
     * @param headDim the head size ({@code attention.key_length}); 0: {@code hidden / heads}
     * @param experts the mixture of experts (required by qwen3moe and gpt-oss), or null
     * @param window  the sliding window of gemma3's and gpt-oss's local layers, or 0
     */
    public record Shape(int headDim, ModelConfig.Experts experts, int window) {
        public static final Shape PLAIN = new Shape(0, null, 0);
    }

    /** A Llama-family shape ({@link Shape#PLAIN}). */
    public SyntheticModel(String architecture, int hidden, int layers, int heads, int kvHeads, int ffn, int vocab,
                          int context, float ropeBase, boolean tiedEmbeddings, GgmlType type, GgmlType outputType,
                          GgmlType moreBitsType, Path vocabFrom, long seed, float sigma) {
        this(architecture, hidden, layers, heads, kvHeads, ffn, vocab, context, ropeBase, tiedEmbeddings, type,
                outputType, moreBitsType, vocabFrom, seed, sigma, Shape.PLAIN);
    }

    /** The head size. */
    public int headDim() {
        return shape.headDim() > 0 ? shape.headDim() : hidden / heads;
    }

    /** Named shapes: the benchmark models of the baseline figures and the shapes of common real models. */
    public static final Map<String, SyntheticModel> PRESETS = Map.ofEntries(
            Map.entry("bench-small", llama(768, 12, 12, 4, 2048, 32000, 4096, 500000f, false)),
            Map.entry("bench-1b", llama(2048, 16, 32, 8, 8192, 32000, 4096, 500000f, false)),
            Map.entry("llama-3.2-1b", llama(2048, 16, 32, 8, 8192, 128256, 131072, 500000f, true)),
            Map.entry("llama-3.2-3b", llama(3072, 28, 24, 8, 8192, 128256, 131072, 500000f, true)),
            Map.entry("llama-3.1-8b", llama(4096, 32, 32, 8, 14336, 128256, 131072, 500000f, false)),
            Map.entry("qwen2.5-0.5b", qwen2(896, 24, 14, 2, 4864, 151936, true)),
            Map.entry("qwen2.5-1.5b", qwen2(1536, 28, 12, 2, 8960, 151936, true)),
            Map.entry("qwen2.5-7b", qwen2(3584, 28, 28, 4, 18944, 152064, false)),
            Map.entry("qwen3-30b-a3b", moe("qwen3moe", 2048, 48, 32, 4, 6144, 151936, 40960, 1000000f,
                    new Shape(128, new ModelConfig.Experts(128, 8, 768), 0))),
            Map.entry("gemma-3-1b", gemma3(1152, 26, 4, 1, 6912, 512)),
            Map.entry("gemma-3-4b", gemma3(2560, 34, 8, 4, 10240, 1024)),
            Map.entry("gemma-3-12b", gemma3(3840, 48, 16, 8, 15360, 1024)),
            Map.entry("gpt-oss-20b", moe("gpt-oss", 2880, 24, 64, 8, 2880, 201088, 131072, 150000f,
                    new Shape(64, new ModelConfig.Experts(32, 4, 2880), 128))));

    private static SyntheticModel moe(String arch, int hidden, int layers, int heads, int kv, int ffn, int vocab,
                                      int ctx, float base, Shape shape) {
        return new SyntheticModel(arch, hidden, layers, heads, kv, ffn, vocab, ctx, base, false, GgmlType.F16, null,
                null, null, 42, 0.02f, shape);
    }

    private static SyntheticModel gemma3(int hidden, int layers, int heads, int kv, int ffn, int window) {
        return new SyntheticModel("gemma3", hidden, layers, heads, kv, ffn, 262144, 32768, 1000000f, true,
                GgmlType.F16, null, null, null, 42, 0.02f, new Shape(256, null, window));
    }

    private static SyntheticModel llama(int hidden, int layers, int heads, int kv, int ffn, int vocab, int ctx,
                                        float base, boolean tied) {
        return new SyntheticModel("llama", hidden, layers, heads, kv, ffn, vocab, ctx, base, tied, GgmlType.F16, null,
                null, null, 42, 0.02f);
    }

    private static SyntheticModel qwen2(int hidden, int layers, int heads, int kv, int ffn, int vocab, boolean tied) {
        return new SyntheticModel("qwen2", hidden, layers, heads, kv, ffn, vocab, 32768, 1000000f, tied, GgmlType.F16,
                null, null, null, 42, 0.02f);
    }

    public SyntheticModel withType(GgmlType type, GgmlType outputType) {
        return new SyntheticModel(architecture, hidden, layers, heads, kvHeads, ffn, vocab, context, ropeBase,
                tiedEmbeddings, type, outputType, null, vocabFrom, seed, sigma, shape);
    }

    /** llama.cpp's Q4_K_M mix: Q4_K matrices, Q6_K output and Q6_K {@code attn_v}/{@code ffn_down} in some layers. */
    public SyntheticModel withQ4KM() {
        return new SyntheticModel(architecture, hidden, layers, heads, kvHeads, ffn, vocab, context, ropeBase,
                tiedEmbeddings, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q6_K, vocabFrom, seed, sigma, shape);
    }

    /**
     * llama.cpp's Q3_K_M mix (its rule for a dense non-Falcon model): Q3_K matrices, Q6_K output, Q4_K
     * {@code attn_output}, {@code attn_v} Q5_K in layers 0 and 1 and Q4_K after, {@code ffn_down} Q5_K in the first
     * sixteenth of the layers and Q4_K after.
     */
    public SyntheticModel withQ3KM() {
        return new SyntheticModel(architecture, hidden, layers, heads, kvHeads, ffn, vocab, context, ropeBase,
                tiedEmbeddings, GgmlType.Q3_K, GgmlType.Q6_K, GgmlType.Q4_K, vocabFrom, seed, sigma, shape);
    }

    /** llama.cpp's MXFP4_MOE mix (gpt-oss's published files): expert stacks MXFP4, every other matrix Q8_0. */
    public SyntheticModel withMxfp4Moe() {
        return new SyntheticModel(architecture, hidden, layers, heads, kvHeads, ffn, vocab, context, ropeBase,
                tiedEmbeddings, GgmlType.MXFP4, GgmlType.Q8_0, GgmlType.Q8_0, vocabFrom, seed, sigma, shape);
    }

    public SyntheticModel withVocabFrom(Path vocabFrom) {
        return new SyntheticModel(architecture, hidden, layers, heads, kvHeads, ffn, vocab, context, ropeBase,
                tiedEmbeddings, type, outputType, moreBitsType, vocabFrom, seed, sigma, shape);
    }

    public SyntheticModel withSeed(long seed) {
        return new SyntheticModel(architecture, hidden, layers, heads, kvHeads, ffn, vocab, context, ropeBase,
                tiedEmbeddings, type, outputType, moreBitsType, vocabFrom, seed, sigma, shape);
    }

    /** Parameters, counting the embedding table and (when untied) the output matrix. */
    public long parameterCount() {
        long headDim = headDim();
        long attn = 2L * hidden * heads * headDim + 2L * hidden * kvHeads * headDim;
        ModelConfig.Experts x = shape.experts();
        long mlp = x == null ? 3L * hidden * ffn : 3L * hidden * x.ffnDim() * x.count() + (long) hidden * x.count();
        long perLayer = attn + mlp + 2L * hidden;
        return layers * perLayer + (tiedEmbeddings ? 1 : 2) * (long) vocab * hidden + hidden;
    }

    /** Writes the model to {@code path}; {@code progress} hears bytes of tensor data written. */
    public void write(Path path, LoadProgress progress) throws IOException {
        Architecture arch = Architecture.byName(architecture).orElseThrow(() ->
                new IllegalArgumentException("unknown architecture " + architecture + " (known: " + Architecture.known() + ")"));
        GgufWriter w = new GgufWriter();
        int vocabSize = putVocabulary(w);
        String p = architecture + ".";
        w.putString("general.architecture", architecture)
                .putString("general.name", "synthetic-" + architecture + "-" + hidden + "x" + layers + "-" + type)
                .putUint32(p + "context_length", context)
                .putUint32(p + "embedding_length", hidden)
                .putUint32(p + "block_count", layers)
                .putUint32(p + "feed_forward_length", ffn)
                .putUint32(p + "attention.head_count", heads)
                .putUint32(p + "attention.head_count_kv", kvHeads)
                .putFloat32(p + "attention.layer_norm_rms_epsilon", 1e-5f)
                .putFloat32(p + "rope.freq_base", ropeBase)
                .putUint32(p + "rope.dimension_count", headDim())
                .putUint32(p + "attention.key_length", headDim())
                .putUint32(p + "attention.value_length", headDim())
                .putUint32(p + "vocab_size", vocabSize);
        ModelConfig.Experts experts = shape.experts();
        if (arch.feedForward().moe() != (experts != null)) {
            throw new IllegalArgumentException(architecture + (experts == null ? " needs" : " has no") + " experts");
        }
        if (experts != null) {
            w.putUint32(p + "expert_count", experts.count())
                    .putUint32(p + "expert_used_count", experts.used())
                    .putUint32(p + "expert_feed_forward_length", experts.ffnDim());
        }
        if (shape.window() > 0) w.putUint32(p + "attention.sliding_window", shape.window());
        float baseSwa = ropeBase;
        ModelConfig.Yarn yarn = null;
        if (arch == Architecture.GEMMA3) w.putFloat32(p + "rope.freq_base_swa", baseSwa = 10000f);
        if (arch == Architecture.GPT_OSS) { // gpt-oss's own YaRN settings
            yarn = new ModelConfig.Yarn(32f, 4096, 32f, 1f);
            w.putString(p + "rope.scaling.type", "yarn")
                    .putFloat32(p + "rope.scaling.factor", yarn.factor())
                    .putUint32(p + "rope.scaling.original_context_length", yarn.originalContext())
                    .putFloat32(p + "rope.scaling.yarn_beta_fast", yarn.betaFast())
                    .putFloat32(p + "rope.scaling.yarn_beta_slow", yarn.betaSlow());
        }
        ModelConfig config = new ModelConfig(arch, hidden, layers, heads, kvHeads, headDim(), ffn, vocabSize,
                context, 1e-5f, ropeBase, headDim(), 1f, null, experts, shape.window(), baseSwa, yarn);
        List<TensorManifest.Entry> entries = TensorManifest.of(config).entries().stream()
                .filter(e -> e.required() || (e.name().equals("output.weight") && !tiedEmbeddings)).toList();
        long total = 0;
        for (TensorManifest.Entry e : entries) total += typeOf(e).bytesFor(e.shape()[0]) * rows(e);
        long grandTotal = total;
        long[] written = {0};
        for (TensorManifest.Entry e : entries) {
            GgmlType t = typeOf(e);
            long tensorSeed = seed ^ e.name().hashCode() * 0x9E3779B97F4A7C15L;
            w.addTensor(e.name(), t, e.shape(), target -> {
                if (e.name().contains("norm")) fillOnes(target, (int) e.shape()[0]);
                else fillRandom(target, t, rows(e), (int) e.shape()[0], tensorSeed);
                written[0] += target.byteSize();
                progress.update(written[0], grandTotal);
            });
        }
        w.write(path);
    }

    /**
     * As llama.cpp writes them: vectors, biases and the router F32, the matrices and expert stacks {@code type}, the
     * output projection {@code outputType} — which, with tied embeddings, is the embedding table (llama.cpp's
     * quantizer gives {@code token_embd} the output's type when a model has no {@code output.weight}).
     */
    private GgmlType typeOf(TensorManifest.Entry e) {
        if (e.shape().length < 2 || e.name().endsWith(".bias") || e.name().contains("ffn_gate_inp")) return GgmlType.F32;
        boolean output = e.name().equals("output.weight") || tiedEmbeddings && e.name().equals("token_embd.weight");
        if (output && outputType != null) return outputType;
        if (moreBitsType != null && type == GgmlType.Q3_K) return q3KMType(e.name());
        if (moreBitsType != null && type == GgmlType.MXFP4) return e.name().contains("_exps.") ? type : moreBitsType;
        if (moreBitsType != null && (e.name().endsWith(".attn_v.weight") || e.name().endsWith(".ffn_down.weight")
                || e.name().endsWith(".ffn_down_exps.weight"))) {
            int layer = Integer.parseInt(e.name().split("\\.")[1]);
            if (layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2) return moreBitsType;
        }
        return type;
    }

    /** The Q3_K_M rule of {@link #withQ3KM} for a matrix other than the output. */
    private GgmlType q3KMType(String name) {
        if (!name.startsWith("blk.")) return type;
        int layer = Integer.parseInt(name.split("\\.")[1]);
        if (name.endsWith(".attn_output.weight")) return GgmlType.Q4_K;
        if (name.endsWith(".attn_v.weight")) return layer < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
        if (name.endsWith(".ffn_down.weight")) return layer < layers / 16 ? GgmlType.Q5_K : GgmlType.Q4_K;
        return type;
    }

    /** Rows of {@code shape[0]} elements: all dimensions after the first. */
    private static int rows(TensorManifest.Entry e) {
        long rows = 1;
        for (int i = 1; i < e.shape().length; i++) rows *= e.shape()[i];
        return (int) rows;
    }

    private int putVocabulary(GgufWriter w) {
        if (vocabFrom != null) {
            try (GgufFile f = GgufFile.open(vocabFrom)) {
                f.metadata().asMap().forEach((k, v) -> {
                    if (k.startsWith("tokenizer.")) w.put(k, v);
                });
                return f.metadata().requireStringArray("tokenizer.ggml.tokens").length;
            }
        }
        if (vocab < 260) throw new IllegalArgumentException("a synthetic vocabulary needs at least 260 tokens");
        String[] tokens = new String[vocab];
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = 2;
        types[1] = types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = 6;
        }
        for (int i = 259; i < vocab; i++) {
            tokens[i] = "\u2581t" + Integer.toString(i - 259, 36);
            scores[i] = -(i - 259);
            types[i] = 1;
        }
        w.putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloat32Array("tokenizer.ggml.scores", scores)
                .putInt32Array("tokenizer.ggml.token_type", types)
                .putUint32("tokenizer.ggml.bos_token_id", 1)
                .putUint32("tokenizer.ggml.eos_token_id", 2)
                .putUint32("tokenizer.ggml.unknown_token_id", 0)
                .put("tokenizer.ggml.add_bos_token", MetadataValue.bool(true));
        return vocab;
    }

    private void fillRandom(MemorySegment target, GgmlType t, int rows, int cols, long tensorSeed) {
        QuantFormat format = QuantFormat.of(t);
        long rowBytes = t.bytesFor(cols);
        int chunk = 64;
        IntStream.range(0, Math.ceilDiv(rows, chunk)).parallel().forEach(c -> {
            float[] row = new float[cols];
            SplittableRandom random = new SplittableRandom(tensorSeed + c);
            for (int r = c * chunk; r < Math.min(rows, (c + 1) * chunk); r++) {
                for (int i = 0; i < cols; i++) row[i] = (float) (random.nextGaussian() * sigma);
                format.quantize(row, 0, cols, target, r * rowBytes);
            }
        });
    }

    private static void fillOnes(MemorySegment target, int n) {
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        QuantFormat.of(GgmlType.F32).quantize(ones, 0, n, target, 0);
    }
}
