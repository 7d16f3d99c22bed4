package dev.junction.engine.runtime;

import dev.junction.engine.model.KvCache;
import dev.junction.engine.model.KvPool;
import dev.junction.engine.model.ModelConfig;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link LocalInferenceService} serves one model: how many sequences run at once, how many requests may wait
 * and for how long, how much context each sequence gets, and how the KV cache is paged. The defaults suit a server on
 * a workstation; {@code 0} for the context length or the number of blocks means "choose for the model"
 * ({@link #resolve}).
 *
 * @param maxRunning    sequences decoded together (each step computes one token of each)
 * @param maxQueue      requests that may wait beyond the free running slots; more are refused as overloaded
 * @param queueTimeout  how long a request may wait to start before it fails; zero means no limit
 * @param contextLength tokens (prompt and output) one sequence may hold; 0: the model's, at most
 *                      {@value #DEFAULT_CONTEXT}
 * @param blockSize     positions per KV block, the unit of allocation and of prefix reuse
 * @param kvBlocks      blocks in the KV pool (of its full-attention layers, when the sliding-window layers have
 *                      {@linkplain #windowBlocks their own}); 0: enough for {@code maxRunning} full contexts, within
 *                      the memory given to {@link #resolve}, and at least one full context
 * @param tokenBudget   tokens one step computes at most (decodes first, then prompt chunks); at least
 *                      {@code maxRunning}
 * @param cacheType     element type of the KV cache (F16 halves its memory)
 */
public record EngineConfig(int maxRunning, int maxQueue, Duration queueTimeout, int contextLength, int blockSize,
                           int kvBlocks, int tokenBudget, KvCache.Type cacheType) {
    /** The context a sequence gets when none is configured and the model allows more. */
    public static final int DEFAULT_CONTEXT = 4096;

    public EngineConfig {
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        Objects.requireNonNull(cacheType, "cacheType");
        check(maxRunning >= 1, "maxRunning must be at least 1, got " + maxRunning);
        check(maxQueue >= 0, "maxQueue must be at least 0, got " + maxQueue);
        check(!queueTimeout.isNegative(), "queueTimeout must not be negative, got " + queueTimeout);
        check(contextLength >= 0, "contextLength must be positive (0 = the model's), got " + contextLength);
        check(blockSize >= 1, "blockSize must be at least 1, got " + blockSize);
        check(kvBlocks >= 0, "kvBlocks must be positive (0 = automatic), got " + kvBlocks);
        check(tokenBudget >= maxRunning, "tokenBudget (" + tokenBudget + ") must be at least maxRunning ("
                + maxRunning + "), so that every running sequence decodes in every step");
    }

    /** 16 running, 64 waiting for up to a minute, the model's context up to 4096, blocks of 16, 256 tokens a step. */
    public static EngineConfig defaults() {
        return new EngineConfig(16, 64, Duration.ofMinutes(1), 0, 16, 0, 256, KvCache.Type.F32);
    }

    /**
     * This configuration with the automatic values filled in for a model.
     *
     * @param bytesPerBlock bytes one KV block takes for this model
     * @param memoryBudget  bytes the KV pool may take when its size is automatic
     * @throws IllegalArgumentException when the configured context exceeds the model's, or the configured pool
     *                                  cannot hold one full context
     */
    public EngineConfig resolve(ModelConfig model, long bytesPerBlock, long memoryBudget) {
        int context = context(model);
        check(context <= model.contextLength(), "a context of " + context + " tokens exceeds the model's "
                + model.contextLength());
        int perSequence = Math.ceilDiv(context, blockSize);
        int blocks = kvBlocks;
        if (blocks == 0) {
            long wanted = (long) maxRunning * perSequence;
            long affordable = memoryBudget / Math.max(1, bytesPerBlock);
            blocks = (int) Math.max(perSequence, Math.min(Math.min(wanted, affordable), Integer.MAX_VALUE));
        }
        check(blocks >= perSequence, kvBlocks + " KV blocks of " + blockSize + " cannot hold one context of "
                + context + " tokens (" + perSequence + " blocks)");
        return new EngineConfig(maxRunning, maxQueue, queueTimeout, context, blockSize, blocks, tokenBudget, cacheType);
    }

    private int context(ModelConfig model) {
        return contextLength > 0 ? contextLength : Math.min(model.contextLength(), DEFAULT_CONTEXT);
    }

    /**
     * Blocks to give a model's sliding-window layers of their own (see {@link KvPool}), or 0 when they had better
     * share the other layers' blocks: a model without both kinds of layers, or a window nearly as long as the
     * context. Enough for every running sequence's window plus a step's new rows, twice over, so that recently
     * released windows stay cached for prefix reuse; when that and the full-attention blocks wanted ({@code kvBlocks},
     * or full contexts for every running sequence) exceed {@code memoryBudget}, both are scaled down alike, keeping at
     * least what one sequence needs. {@link #resolve} then sizes the full-attention pool within what is left.
     *
     * @param blockBytes       bytes of one block of the full-attention layers
     * @param windowBlockBytes bytes of one block of the sliding-window layers
     */
    public int windowBlocks(ModelConfig model, long blockBytes, long windowBlockBytes, long memoryBudget) {
        if (!KvPool.hasWindowGroup(model)) return 0;
        int perContext = Math.ceilDiv(context(model), blockSize);
        long perRunning = Math.ceilDiv(model.window() - 1, blockSize) + 2L;
        long least = KvCache.windowBlocksPerStep(model.window(), tokenBudget, blockSize);
        long wanted = Math.max(least, 2 * (maxRunning * perRunning + Math.ceilDiv(tokenBudget, blockSize)));
        if (wanted >= (long) maxRunning * perContext) return 0;
        long fullWanted = kvBlocks > 0 ? kvBlocks : (long) maxRunning * perContext;
        double total = (double) wanted * windowBlockBytes + (double) fullWanted * blockBytes;
        if (total > memoryBudget) wanted = Math.max(least, (long) (wanted * (memoryBudget / total)));
        return (int) Math.min(wanted, Integer.MAX_VALUE);
    }

    /** With {@code v} running sequences, and a token budget raised to {@code v} if it was smaller. */
    public EngineConfig withMaxRunning(int v) {
        return new EngineConfig(v, maxQueue, queueTimeout, contextLength, blockSize, kvBlocks,
                Math.max(tokenBudget, v), cacheType);
    }

    public EngineConfig withMaxQueue(int v) {
        return new EngineConfig(maxRunning, v, queueTimeout, contextLength, blockSize, kvBlocks, tokenBudget,
                cacheType);
    }

    public EngineConfig withQueueTimeout(Duration v) {
        return new EngineConfig(maxRunning, maxQueue, v, contextLength, blockSize, kvBlocks, tokenBudget, cacheType);
    }

    public EngineConfig withContextLength(int v) {
        return new EngineConfig(maxRunning, maxQueue, queueTimeout, v, blockSize, kvBlocks, tokenBudget, cacheType);
    }

    public EngineConfig withBlockSize(int v) {
        return new EngineConfig(maxRunning, maxQueue, queueTimeout, contextLength, v, kvBlocks, tokenBudget, cacheType);
    }

    public EngineConfig withKvBlocks(int v) {
        return new EngineConfig(maxRunning, maxQueue, queueTimeout, contextLength, blockSize, v, tokenBudget,
                cacheType);
    }

    public EngineConfig withTokenBudget(int v) {
        return new EngineConfig(maxRunning, maxQueue, queueTimeout, contextLength, blockSize, kvBlocks, v, cacheType);
    }

    public EngineConfig withCacheType(KvCache.Type v) {
        return new EngineConfig(maxRunning, maxQueue, queueTimeout, contextLength, blockSize, kvBlocks, tokenBudget, v);
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
