package dev.junction.engine.model;

import dev.junction.engine.tensor.GgmlType;

import java.util.Arrays;

/**
 * One sequence's keys and values: a block table mapping its positions onto blocks of a {@link KvPool} (position
 * {@code p} lives in block {@code table[p / blockSize]}, slot {@code p % blockSize}). A paged cache starts empty and
 * grows as its owner appends blocks — possibly blocks another sequence filled with the same prompt prefix. A
 * cache of fixed capacity (a single conversation, the CLI) is simply one over a private pool whose blocks are all
 * mapped in order, so both go through the same code.
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

    /** Largest block of a private pool: any multiple of the tile computes the same, this one keeps tables short. */
    private static final int PRIVATE_BLOCK = 256;

    private final KvPool pool;
    private final int fixedCapacity; // -1 for a paged cache
    private int[] table;
    private int blockCount;

    private KvCache(KvPool pool, int fixedCapacity, int[] table, int blockCount) {
        this.pool = pool;
        this.fixedCapacity = fixedCapacity;
        this.table = table;
        this.blockCount = blockCount;
    }

    /** An empty block table over a shared pool. */
    static KvCache paged(KvPool pool) {
        return new KvCache(pool, -1, new int[8], 0);
    }

    /**
     * A cache for exactly {@code capacity} positions, sized to the context a sequence will actually use rather than
     * the model's maximum, over a pool of its own.
     */
    static KvCache fixed(ModelConfig config, int capacity, Type type) {
        if (capacity < 1) throw new IllegalArgumentException("KV capacity must be at least 1");
        int rounded = Math.ceilDiv(capacity, Attention.TILE) * Attention.TILE;
        int blocks = Math.ceilDiv(rounded, PRIVATE_BLOCK);
        int blockSize = Math.ceilDiv(Math.ceilDiv(rounded, blocks), Attention.TILE) * Attention.TILE;
        KvPool pool = new KvPool(config, blocks, blockSize, type,
                "a KV cache for a context of " + capacity + " tokens");
        int[] identity = new int[blocks];
        Arrays.setAll(identity, i -> i);
        return new KvCache(pool, capacity, identity, blocks);
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
        return fixedCapacity >= 0 ? pool.bytes() : blockCount * (pool.bytes() / pool.blocks());
    }

    /** Whether the block table grows and shrinks (a cache over a shared pool). */
    public boolean paged() {
        return fixedCapacity < 0;
    }

    int blockCount() {
        return blockCount;
    }

    /** The pool block holding position block {@code index}, i.e. positions from {@code index · blockSize}. */
    int block(int index) {
        return table[index];
    }

    void appendBlock(int blockId) {
        if (!paged()) throw new IllegalStateException("a sequence with a cache of its own has a fixed block table");
        if (blockId < 0 || blockId >= pool.blocks()) {
            throw new IllegalArgumentException("block " + blockId + " outside the pool's " + pool.blocks() + " blocks");
        }
        if (blockCount == table.length) table = Arrays.copyOf(table, 2 * table.length);
        table[blockCount++] = blockId;
    }

    void clearBlocks() {
        if (!paged()) throw new IllegalStateException("a sequence with a cache of its own has a fixed block table");
        blockCount = 0;
    }

    /** Stores one position's keys and values ({@code kvDim} floats each, head after head) for a layer. */
    void store(int layer, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        int blockSize = pool.blockSize();
        pool.store(layer, table[pos / blockSize], pos % blockSize, k, kOffset, v, vOffset);
    }
}
