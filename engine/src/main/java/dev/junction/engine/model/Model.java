package dev.junction.engine.model;

import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.chat.ChatTemplate;
import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.ModelFormatException;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.engine.tokenizer.Tokenizer;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A model loaded from a GGUF file: its architecture and hyper-parameters, weights (memory-mapped), tokenizer and
 * chat template. Immutable and shareable between threads; each generation keeps its own
 * {@link Transformer.Sequence}. Closing it unmaps the file.
 */
public final class Model implements AutoCloseable {
    private final GgufFile file;
    private final ModelConfig config;
    private final Transformer transformer;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;

    private Model(GgufFile file, ModelConfig config, Transformer transformer, Tokenizer tokenizer, ChatTemplate chatTemplate) {
        this.file = file;
        this.config = config;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
    }

    /** Loads {@code path} with its weights in memory (not memory-mapped); see {@link #load(Path, boolean, LoadProgress)}. */
    public static Model load(Path path, LoadProgress progress) {
        return load(path, false, progress);
    }

    /**
     * Loads {@code path}; every problem with the file is a {@link ModelFormatException} naming it. With {@code mmap}
     * the weights stay memory-mapped (pages read ahead once at load), else they are read into anonymous memory.
     */
    public static Model load(Path path, boolean mmap, LoadProgress progress) {
        GgufFile file = GgufFile.open(path, mmap, progress);
        try {
            var meta = file.metadata();
            String archName = meta.getString("general.architecture")
                    .orElseThrow(() -> new ModelFormatException(path, "missing required metadata general.architecture"));
            Architecture arch = Architecture.byName(archName).orElseThrow(() -> new ModelFormatException(path,
                    "unsupported architecture '" + archName + "' (supported: " + Architecture.known() + ")"));
            Tokenizer tokenizer;
            try {
                tokenizer = Tokenizer.fromGguf(meta);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(path, e.getMessage());
            }
            ModelConfig config = ModelConfig.read(path, meta, arch, tokenizer.vocabSize());
            TensorManifest.of(config).check(file);
            Weights weights = Weights.load(file, config);
            if (mmap) prefetch(file, progress);
            ChatTemplate template = ChatTemplate.detect(meta.getString("tokenizer.chat_template"),
                    piece -> tokenizer.tokenId(piece).isPresent(), pieceOrEmpty(tokenizer, tokenizer.bos()),
                    pieceOrEmpty(tokenizer, tokenizer.eos()));
            return new Model(file, config, new Transformer(config, weights), tokenizer, template);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Reads every tensor's pages in once, so the first tokens do not pay for page faults; reports progress. */
    private static void prefetch(GgufFile file, LoadProgress progress) {
        long total = 0, done = 0;
        for (TensorInfo t : file.tensors().values()) total += t.byteSize();
        final long chunk = 64L << 20;
        for (TensorInfo t : file.tensors().values()) {
            MemorySegment data = file.data(t);
            for (long off = 0; off < data.byteSize(); off += chunk) {
                long len = Math.min(chunk, data.byteSize() - off);
                data.asSlice(off, len).load();
                done += len;
                progress.update(done, total);
            }
        }
        progress.update(total, total);
    }

    private static String pieceOrEmpty(Tokenizer tokenizer, int id) {
        return id >= 0 ? tokenizer.piece(id) : "";
    }

    public Path path() {
        return file.path();
    }

    /** A short name: {@code general.name}, else the file name without {@code .gguf}. */
    public String name() {
        return file.metadata().getString("general.name")
                .orElse(file.path().getFileName().toString().replaceFirst("\\.gguf$", ""));
    }

    public GgufFile file() {
        return file;
    }

    public ModelConfig config() {
        return config;
    }

    public Transformer transformer() {
        return transformer;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    @Override
    public void close() {
        file.close();
    }
}
