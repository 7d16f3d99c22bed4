package dev.junction.engine.gguf;

import dev.junction.engine.tensor.GgmlType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Random;

/**
 * Small GGUF files for tests, made with {@link GgufWriter}: a ready-made little model-shaped file, and seeded random
 * tensor bytes to build your own.
 *
 * <pre>{@code
 * Path file = GgufTestFiles.write(tempDir.resolve("m.gguf"), GgufTestFiles.small());
 * Path mine = GgufTestFiles.write(tempDir.resolve("x.gguf"), new GgufWriter()
 *         .putString("general.architecture", "llama")
 *         .addTensor("w", GgmlType.F32, new long[] {4, 2}, GgufTestFiles.randomF32(8, 1)));
 * }</pre>
 */
public final class GgufTestFiles {
    private GgufTestFiles() {}

    /**
     * A writer for a file of a few KB: llama-like metadata (architecture, sizes, a 16-token vocabulary with scores)
     * and tensors of types F32, F16, Q8_0, Q4_0, Q4_K with 1 to 3 dimensions, all of seeded random content.
     */
    public static GgufWriter small() {
        String[] tokens = new String[16];
        float[] scores = new float[16];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i < 3 ? new String[] {"<unk>", "<s>", "</s>"}[i] : "tok" + i;
            scores[i] = -i;
        }
        return new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "tiny test model")
                .putUint32("llama.context_length", 128)
                .putUint32("llama.embedding_length", 32)
                .putUint32("llama.block_count", 1)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloat32Array("tokenizer.ggml.scores", scores)
                .putInt32Array("tokenizer.ggml.token_type", 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
                .putUint32("tokenizer.ggml.bos_token_id", 1)
                .addTensor("token_embd.weight", GgmlType.F32, new long[] {32, 16}, randomF32(32 * 16, 1))
                .addTensor("blk.0.attn_norm.weight", GgmlType.F32, new long[] {32}, randomF32(32, 2))
                .addTensor("blk.0.attn_q.weight", GgmlType.Q8_0, new long[] {32, 4}, randomBytes(GgmlType.Q8_0, 32 * 4, 3))
                .addTensor("blk.0.ffn_up.weight", GgmlType.Q4_0, new long[] {64, 2}, randomBytes(GgmlType.Q4_0, 64 * 2, 4))
                .addTensor("blk.0.ffn_down.weight", GgmlType.F16, new long[] {8, 2, 3}, randomBytes(GgmlType.F16, 48, 5))
                .addTensor("output.weight", GgmlType.Q4_K, new long[] {256, 1}, randomBytes(GgmlType.Q4_K, 256, 6));
    }

    /** Writes {@code writer} to {@code path} and returns the path. */
    public static Path write(Path path, GgufWriter writer) {
        try {
            writer.write(path);
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code n} floats from a seeded Gaussian, as little-endian bytes. */
    public static byte[] randomF32(int n, long seed) {
        Random r = new Random(seed);
        MemorySegment s = MemorySegment.ofArray(new byte[n * 4]);
        for (int i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) r.nextGaussian());
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Seeded random bytes for {@code elements} elements of {@code type} (any bit pattern, so maybe NaNs). */
    public static byte[] randomBytes(GgmlType type, long elements, long seed) {
        byte[] b = new byte[Math.toIntExact(type.bytesFor(elements))];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A source filling a tensor with seeded random bytes in place, for large tensors never held in memory. */
    public static GgufWriter.TensorSource randomSource(long seed) {
        return target -> {
            Random r = new Random(seed);
            for (long i = 0; i + 8 <= target.byteSize(); i += 8) target.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
            for (long i = target.byteSize() & ~7L; i < target.byteSize(); i++) target.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        };
    }
}
