package dev.junction.engine.model;

import dev.junction.engine.tensor.GgmlType;

import java.util.Arrays;

/**
 * One sequence's keys and values: a block table mapping its positions onto blocks of a {@link KvPool} (position
 * {@code p} lives in block {@code table[p / blockSize]}, slot {@code p % blockSize}). A paged cache starts empty and
 * grows as its owner appends blocks — possibly blocks another sequence filled with the same prompt prefix. A
 * cache of fixed capacity (a single conversation, the CLI) is simply one over a private pool whose blocks are all
 * mapped in order, so both go through the same code.
 *
 * <p>Over a pool with a window group, the sliding-window layers map positions through a second table, into the
 * window group's blocks: in a paged cache its owner drops ({@link #NO_BLOCK}) the blocks that fell out of every
 * future query's window; in a fixed cache it is a ring of just enough blocks for the window and one step's rows
 * ({@code table[i] = i mod ring}), so the window layers' memory grows with the window, not the context.
 */
public final class KvCache {
    /** Element type of the cache. */
    public enum Type {
        F32(GgmlType.F32), F16(GgmlType.F16);

        final GgmlType ggml;

        Type(GgmlType ggml) {
            this.ggml = ggml;
        }
    }

    /** A window-group table entry for a block that fell out of the window (never read again). */
    public static final int NO_BLOCK = -1;

    /** Largest block of a private pool: any multiple of the tile computes the same, this one keeps tables short. */
    private static final int PRIVATE_BLOCK = 256;

    private final KvPool pool;
    private final int fixedCapacity; // -1 for a paged cache
    private final int ring; // blocks of a fixed cache's window ring; 0 when it has none
    private final int window; // positions a sliding-window layer attends to (for a ring)
    private final int maxRowsPerStep;
    private int[] table, windowTable; // windowTable null for a pool without a window group
    private int blockCount;
    private int intactFrom; // fixed cache with a ring: positions before this may have been overwritten

    private KvCache(KvPool pool, int fixedCapacity, int ring, int window, int maxRowsPerStep, int[] table,
                    int[] windowTable, int blockCount) {
        this.pool = pool;
        this.fixedCapacity = fixedCapacity;
        this.ring = ring;
        this.window = window;
        this.maxRowsPerStep = maxRowsPerStep;
        this.table = table;
        this.windowTable = windowTable;
        this.blockCount = blockCount;
    }

    /** An empty block table over a shared pool. */
    static KvCache paged(KvPool pool) {
        return new KvCache(pool, -1, 0, 0, Integer.MAX_VALUE, new int[8], pool.windowBlocks() > 0 ? new int[8] : null, 0);
    }

    /**
     * A cache for exactly {@code capacity} positions, sized to the context a sequence will actually use rather than
     * the model's maximum, over a pool of its own; sliding-window layers keep a ring just large enough for their
     * window and {@code maxRowsPerStep} new rows, when that is smaller than the capacity.
     */
    static KvCache fixed(ModelConfig config, int capacity, Type type, int maxRowsPerStep) {
        if (capacity < 1) throw new IllegalArgumentException("KV capacity must be at least 1");
        int rounded = Math.ceilDiv(capacity, Attention.TILE) * Attention.TILE;
        int blocks = Math.ceilDiv(rounded, PRIVATE_BLOCK);
        int blockSize = Math.ceilDiv(Math.ceilDiv(rounded, blocks), Attention.TILE) * Attention.TILE;
        int perStep = KvPool.hasWindowGroup(config) ? windowBlocksPerStep(config.window(), maxRowsPerStep, blockSize) : blocks;
        int ring = perStep < blocks ? perStep : 0;
        KvPool pool = new KvPool(config, blocks, ring, blockSize, type,
                "a KV cache for a context of " + capacity + " tokens");
        int[] identity = new int[blocks];
        Arrays.setAll(identity, i -> i);
        int[] windowTable = null;
        if (ring > 0) {
            windowTable = new int[blocks];
            Arrays.setAll(windowTable, i -> i % ring);
        }
        return new KvCache(pool, capacity, ring, config.window(), ring > 0 ? maxRowsPerStep : Integer.MAX_VALUE,
                identity, windowTable, blocks);
    }

    /**
     * Blocks a sequence needs at most at once in a sliding-window layer: a step of {@code rows} new positions from
     * {@code c} reads and writes positions {@code c - window + 1 .. c + rows - 1}, which span at most this many.
     */
    public static int windowBlocksPerStep(int window, int rows, int blockSize) {
        return Math.ceilDiv(window - 1 + rows - 1, blockSize) + 1;
    }

    /** Positions the cache can hold: those of its mapped blocks, or the fixed capacity it was made with. */
    public int capacity() {
        return fixedCapacity >= 0 ? fixedCapacity : blockCount * pool.blockSize();
    }

    public Type type() {
        return pool.type();
    }

    public KvPool pool() {
        return pool;
    }

    /** Bytes of the memory this cache maps (its whole pool when it has one of its own). */
    public long bytes() {
        if (fixedCapacity >= 0) return pool.bytes();
        long sum = blockCount * pool.blockBytes();
        if (windowTable != null) {
            for (int i = 0; i < blockCount; i++) if (windowTable[i] != NO_BLOCK) sum += pool.windowBlockBytes();
        }
        return sum;
    }

    /** Whether the block table grows and shrinks (a cache over a shared pool). */
    public boolean paged() {
        return fixedCapacity < 0;
    }

    /** The most rows of this sequence one step may compute (a ring holds a window and that many new rows). */
    public int maxRowsPerStep() {
        return maxRowsPerStep;
    }

    int blockCount() {
        return blockCount;
    }

    /** The pool block holding position block {@code index}, i.e. positions from {@code index · blockSize}. */
    int block(int index) {
        return table[index];
    }

    /** As {@link #block(int)}, for a layer: in the window group's table for a sliding-window layer. */
    int block(int layer, int index) {
        return windowTable != null && pool.windowLayer(layer) ? windowTable[index] : table[index];
    }

    /** Maps the next position block to {@code blockId} of a pool without a window group. */
    void appendBlock(int blockId) {
        if (windowTable != null) {
            throw new IllegalStateException("a pool with a window group maps each position block in both groups");
        }
        appendBlocks(blockId, NO_BLOCK);
    }

    /**
     * Maps the next position block to {@code blockId} in the full-attention layers and to {@code windowBlockId}
     * (possibly {@link #NO_BLOCK}, a block that is out of every future query's window) in the sliding-window ones.
     */
    void appendBlocks(int blockId, int windowBlockId) {
        if (!paged()) throw new IllegalStateException("a sequence with a cache of its own has a fixed block table");
        check(blockId, pool.blocks(), "block ");
        if (windowTable != null && windowBlockId != NO_BLOCK) check(windowBlockId, pool.windowBlocks(), "window block ");
        if (blockCount == table.length) {
            table = Arrays.copyOf(table, 2 * table.length);
            if (windowTable != null) windowTable = Arrays.copyOf(windowTable, table.length);
        }
        if (windowTable != null) windowTable[blockCount] = windowBlockId;
        table[blockCount++] = blockId;
    }

    private static void check(int id, int blocks, String what) {
        if (id < 0 || id >= blocks) {
            throw new IllegalArgumentException(what + id + " outside the pool's " + blocks + " blocks");
        }
    }

    void clearBlocks() {
        if (!paged()) throw new IllegalStateException("a sequence with a cache of its own has a fixed block table");
        blockCount = 0;
    }

    /**
     * The longest prefix of at most {@code length} positions that can be kept (the others forgotten) and continued
     * from: {@code length} itself, unless a ring already overwrote part of the window its next position reads, then 0.
     */
    int keepable(int length) {
        if (ring == 0 || length == 0) return length;
        return Math.max(0, length - window + 1) >= intactFrom ? length : 0;
    }

    /** Called when the owner forgets every position from {@code length} on: from 0, nothing old is read again. */
    void forgetFrom(int length) {
        if (length == 0) intactFrom = 0;
    }

    /** Stores one position's keys and values ({@code kvDim} floats each, head after head) for a layer. */
    void store(int layer, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        int blockSize = pool.blockSize(), index = pos / blockSize;
        if (ring > 0) intactFrom = Math.max(intactFrom, (index - ring + 1) * blockSize);
        pool.store(layer, block(layer, index), pos % blockSize, k, kOffset, v, vOffset);
    }
}
