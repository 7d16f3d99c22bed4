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
 * <p>A model with sliding-window layers (Gemma 3, gpt-oss) may give those layers blocks of their own: a layer that
 * attends to the last {@code window} positions needs only them, so its blocks can be released as a sequence moves on
 * and far fewer of them serve the same sequences. Such a pool has two groups of blocks with separate ids: the
 * full-attention layers' {@link #blocks()} and the sliding-window layers' {@link #windowBlocks()}; a sequence maps
 * its positions in each group through a block table of its own. A pool with no window group (the usual one) gives
 * every layer the same blocks.
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

    private final int blocks, windowBlocks, blockSize, layers, kvHeads, headDim, elementBytes;
    private final boolean[] windowLayer; // per layer: whether it takes its blocks from the window group
    private final KvCache.Type type;
    private final long headBytes; // one KV head of one block: blockSize × headDim elements
    private final long blockBytes, windowBlockBytes; // one block of each group, every layer of the group
    private final MemorySegment[] keys, values; // per layer

    /**
     * A pool of {@code blocks} blocks of {@code blockSize} positions (a multiple of {@link #BLOCK_SIZE_MULTIPLE}).
     *
     * @throws IllegalArgumentException for non-positive sizes, or a pool bigger than this machine's memory
     */
    public KvPool(ModelConfig config, int blocks, int blockSize, KvCache.Type type) {
        this(config, blocks, 0, blockSize, type, null);
    }

    /**
     * A pool whose sliding-window layers have {@code windowBlocks} blocks of their own, besides the {@code blocks}
     * blocks of the full-attention layers; {@code windowBlocks} 0 for none (every layer uses the same blocks).
     *
     * @throws IllegalArgumentException as {@link #KvPool(ModelConfig, int, int, KvCache.Type)}, or for window blocks
     *                                  in a model without both kinds of layers
     */
    public KvPool(ModelConfig config, int blocks, int windowBlocks, int blockSize, KvCache.Type type) {
        this(config, blocks, windowBlocks, blockSize, type, null);
    }

    /** With {@code what}: how the memory check describes a pool that does not fit (null: as a pool). */
    KvPool(ModelConfig config, int blocks, int windowBlocks, int blockSize, KvCache.Type type, String what) {
        if (blocks < 1) throw new IllegalArgumentException("a KV pool needs at least 1 block, got " + blocks);
        if (windowBlocks < 0) throw new IllegalArgumentException("negative window blocks " + windowBlocks);
        if (windowBlocks > 0 && !hasWindowGroup(config)) {
            throw new IllegalArgumentException("window blocks for a model without both sliding-window and "
                    + "full-attention layers");
        }
        if (blockSize < 1 || blockSize % BLOCK_SIZE_MULTIPLE != 0) {
            throw new IllegalArgumentException("KV block size must be a positive multiple of " + BLOCK_SIZE_MULTIPLE
                    + " positions, got " + blockSize);
        }
        this.blocks = blocks;
        this.windowBlocks = windowBlocks;
        this.blockSize = blockSize;
        this.type = type;
        this.layers = config.layers();
        this.kvHeads = config.kvHeads();
        this.headDim = config.headDim();
        this.elementBytes = elementBytes(type);
        this.headBytes = (long) blockSize * headDim * elementBytes;
        this.windowLayer = new boolean[layers];
        for (int l = 0; l < layers; l++) windowLayer[l] = windowBlocks > 0 && config.window(l) > 0;
        this.windowBlockBytes = windowBlocks > 0 ? windowBytesPerBlock(config, blockSize, type) : 0;
        this.blockBytes = bytesPerBlock(config, blockSize, type) - windowBlockBytes;
        double total = (double) blocks * blockBytes + (double) windowBlocks * windowBlockBytes;
        long physical = physicalMemory();
        if (total > physical) {
            String pool = what != null ? what
                    : String.format("a KV pool of %d blocks of %d positions", blocks, blockSize);
            String advice = what != null ? "use a smaller context" : "use fewer blocks";
            throw new IllegalArgumentException(String.format("%s needs %.1f GiB, more than this machine's %.1f GiB: %s",
                    pool, total / 1073741824.0, physical / 1073741824.0, advice));
        }
        Arena arena = Arena.ofAuto();
        this.keys = new MemorySegment[layers];
        this.values = new MemorySegment[layers];
        for (int l = 0; l < layers; l++) {
            long layerBytes = (long) (windowLayer[l] ? windowBlocks : blocks) * kvHeads * headBytes;
            keys[l] = arena.allocate(layerBytes, 64);
            values[l] = arena.allocate(layerBytes, 64);
        }
    }

    /** Bytes one block takes: keys and values of every layer for {@code blockSize} positions. */
    public static long bytesPerBlock(ModelConfig config, int blockSize, KvCache.Type type) {
        return bytesPerBlock(config.layers(), config, blockSize, type);
    }

    /** Of {@link #bytesPerBlock}, what the sliding-window layers take (0 for a model without them). */
    public static long windowBytesPerBlock(ModelConfig config, int blockSize, KvCache.Type type) {
        int sliding = 0;
        for (int l = 0; l < config.layers(); l++) if (config.window(l) > 0) sliding++;
        return bytesPerBlock(sliding, config, blockSize, type);
    }

    private static long bytesPerBlock(int layers, ModelConfig config, int blockSize, KvCache.Type type) {
        return 2L * layers * blockSize * config.kvDim() * elementBytes(type);
    }

    /**
     * Whether the sliding-window layers of a model can have blocks of their own: it has both kinds of layers (a
     * model whose every layer slides keeps a single group, as one without a window does).
     */
    public static boolean hasWindowGroup(ModelConfig config) {
        boolean sliding = false, full = false;
        for (int l = 0; l < config.layers(); l++) {
            if (config.window(l) > 0) sliding = true;
            else full = true;
        }
        return sliding && full;
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

    /** Blocks of the full-attention layers (of every layer in a pool without a window group). */
    public int blocks() {
        return blocks;
    }

    /** Blocks of the sliding-window layers' own group; 0 when they share the full-attention layers' blocks. */
    public int windowBlocks() {
        return windowBlocks;
    }

    /** Bytes one block of the full-attention group takes (of every layer, in a pool without a window group). */
    long blockBytes() {
        return blockBytes;
    }

    /** Bytes one block of the window group takes; 0 without one. */
    long windowBlockBytes() {
        return windowBlockBytes;
    }

    /** Whether {@code layer} takes its blocks from the window group (numbered apart from the others). */
    boolean windowLayer(int layer) {
        return windowLayer[layer];
    }

    public int blockSize() {
        return blockSize;
    }

    public KvCache.Type type() {
        return type;
    }

    /** Bytes held. */
    public long bytes() {
        long sum = 0;
        for (int l = 0; l < layers; l++) sum += keys[l].byteSize() + values[l].byteSize();
        return sum;
    }

    /** Whether sequences of a model of this shape can use the pool. */
    boolean fits(ModelConfig config) {
        if (config.layers() != layers || config.kvHeads() != kvHeads || config.headDim() != headDim) return false;
        for (int l = 0; l < layers; l++) if (windowLayer[l] && config.window(l) == 0) return false;
        return true;
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
