package dev.junction.engine.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A preallocated pool of KV-cache blocks, each holding {@code blockSize} positions of every layer's keys and values,
 * off-heap (no garbage-collector work however large) in F32, or F16 at half the memory and bandwidth. A server
 * allocates one pool for its whole KV budget and hands blocks to sequences through their block tables, so memory is
 * committed by the token, not by the worst-case context, and sequences that share a prompt prefix share its blocks.
 * The memory is released when the pool becomes unreachable.
 *
 * <p>Layout, chosen for attention: per layer, block after block; within a block, KV head after KV head (so one head's
 * {@code blockSize × headDim} keys, and values, are one contiguous run); within that, tiles of
 * {@link #BLOCK_SIZE_MULTIPLE} positions. A tile's values are stored position by position ({@code headDim} floats
 * each) and its keys transposed, dimension by dimension ({@code 16} positions each), so attention scores a whole tile
 * of positions per vector instruction and accumulates values with the probabilities in registers.
 */
public final class KvPool {
    /** Positions of an attention tile: block sizes must be a multiple of it. */
    public static final int BLOCK_SIZE_MULTIPLE = Attention.TILE;

    static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int blocks, blockSize, layers, kvHeads, headDim, elementBytes;
    private final KvCache.Type type;
    private final long headBytes; // one KV head of one block: blockSize × headDim elements
    private final MemorySegment[] keys, values; // per layer

    /**
     * A pool of {@code blocks} blocks of {@code blockSize} positions (a multiple of {@link #BLOCK_SIZE_MULTIPLE}).
     *
     * @throws IllegalArgumentException for non-positive sizes, or a pool bigger than this machine's memory
     */
    public KvPool(ModelConfig config, int blocks, int blockSize, KvCache.Type type) {
        this(config, blocks, blockSize, type, null);
    }

    /** With {@code what}: how the memory check describes a pool that does not fit (null: as a pool). */
    KvPool(ModelConfig config, int blocks, int blockSize, KvCache.Type type, String what) {
        if (blocks < 1) throw new IllegalArgumentException("a KV pool needs at least 1 block, got " + blocks);
        if (blockSize < 1 || blockSize % BLOCK_SIZE_MULTIPLE != 0) {
            throw new IllegalArgumentException("KV block size must be a positive multiple of " + BLOCK_SIZE_MULTIPLE
                    + " positions, got " + blockSize);
        }
        this.blocks = blocks;
        this.blockSize = blockSize;
        this.type = type;
        this.layers = config.layers();
        this.kvHeads = config.kvHeads();
        this.headDim = config.headDim();
        this.elementBytes = elementBytes(type);
        this.headBytes = (long) blockSize * headDim * elementBytes;
        double total = (double) blocks * bytesPerBlock(config, blockSize, type);
        long physical = physicalMemory();
        if (total > physical) {
            String pool = what != null ? what
                    : String.format("a KV pool of %d blocks of %d positions", blocks, blockSize);
            String advice = what != null ? "use a smaller context" : "use fewer blocks";
            throw new IllegalArgumentException(String.format("%s needs %.1f GiB, more than this machine's %.1f GiB: %s",
                    pool, total / 1073741824.0, physical / 1073741824.0, advice));
        }
        long layerBytes = (long) blocks * kvHeads * headBytes;
        Arena arena = Arena.ofAuto();
        this.keys = new MemorySegment[layers];
        this.values = new MemorySegment[layers];
        for (int l = 0; l < layers; l++) {
            keys[l] = arena.allocate(layerBytes, 64);
            values[l] = arena.allocate(layerBytes, 64);
        }
    }

    /** Bytes one block takes: keys and values of every layer for {@code blockSize} positions. */
    public static long bytesPerBlock(ModelConfig config, int blockSize, KvCache.Type type) {
        return 2L * config.layers() * blockSize * config.kvDim() * elementBytes(type);
    }

    private static int elementBytes(KvCache.Type type) {
        return type == KvCache.Type.F32 ? Float.BYTES : 2;
    }

    private static long physicalMemory() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }

    public int blocks() {
        return blocks;
    }

    public int blockSize() {
        return blockSize;
    }

    public KvCache.Type type() {
        return type;
    }

    /** Bytes held. */
    public long bytes() {
        return 2L * layers * keys[0].byteSize();
    }

    /** Whether sequences of a model of this shape can use the pool. */
    boolean fits(ModelConfig config) {
        return config.layers() == layers && config.kvHeads() == kvHeads && config.headDim() == headDim;
    }

    MemorySegment keys(int layer) {
        return keys[layer];
    }

    MemorySegment values(int layer) {
        return values[layer];
    }

    /**
     * Byte offset, in {@link #keys} and {@link #values} alike, of the tile of a KV head that starts at {@code slot}
     * (a multiple of the tile) of {@code block}.
     */
    long tileOffset(int block, int kvHead, int slot) {
        return ((long) block * kvHeads + kvHead) * headBytes + (long) slot * headDim * elementBytes;
    }

    /** Stores one position's keys and values ({@code kvDim} floats each, head after head) for a layer. */
    void store(int layer, int block, int slot, float[] k, int kOffset, float[] v, int vOffset) {
        int tileSlot = slot - slot % Attention.TILE, inTile = slot % Attention.TILE;
        for (int h = 0; h < kvHeads; h++) {
            long tile = tileOffset(block, h, tileSlot);
            long valueAt = tile + (long) inTile * headDim * elementBytes;
            int from = h * headDim;
            if (type == KvCache.Type.F32) {
                MemorySegment.copy(v, vOffset + from, values[layer], FLOAT, valueAt, headDim);
                for (int i = 0; i < headDim; i++) {
                    keys[layer].set(FLOAT, tile + 4L * (i * Attention.TILE + inTile), k[kOffset + from + i]);
                }
            } else {
                for (int i = 0; i < headDim; i++) {
                    values[layer].set(HALF, valueAt + 2L * i, Float.floatToFloat16(v[vOffset + from + i]));
                    keys[layer].set(HALF, tile + 2L * (i * Attention.TILE + inTile),
                            Float.floatToFloat16(k[kOffset + from + i]));
                }
            }
        }
    }

    /** The key element {@code i} of a KV head at a position, as stored (for tests). */
    float key(int layer, int block, int slot, int kvHead, int i) {
        long at = tileOffset(block, kvHead, slot - slot % Attention.TILE)
                + (long) elementBytes * (i * Attention.TILE + slot % Attention.TILE);
        return type == KvCache.Type.F32 ? keys[layer].get(FLOAT, at) : Float.float16ToFloat(keys[layer].get(HALF, at));
    }

    /** The value element {@code i} of a KV head at a position, as stored (for tests). */
    float value(int layer, int block, int slot, int kvHead, int i) {
        long at = tileOffset(block, kvHead, slot - slot % Attention.TILE)
                + (long) elementBytes * ((slot % Attention.TILE) * headDim + i);
        return type == KvCache.Type.F32 ? values[layer].get(FLOAT, at) : Float.float16ToFloat(values[layer].get(HALF, at));
    }
}
