package dev.junction.engine.model;

import dev.junction.engine.tensor.GgmlType;
import dev.junction.engine.tensor.QuantFormat;
import dev.junction.engine.tensor.RowOps;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Keys and values of one sequence for every layer, for {@code capacity} positions — sized to the context a sequence
 * will actually use, not the model's maximum — held off-heap (no garbage-collector work however long the context)
 * in F32, or in F16 at half the memory and bandwidth. Layout per layer: head-major — for each KV head, its
 * {@code headDim} elements for position 0, 1, 2 … one after the other — so attention streams through memory
 * sequentially. The memory is released when the cache becomes unreachable.
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

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Type type;
    private final QuantFormat format;
    private final MemorySegment[] keys, values; // per layer: (kvHeads, capacity, headDim) elements
    private final int capacity, kvHeads, headDim, elementBytes;

    public KvCache(ModelConfig config, int capacity, Type type) {
        if (capacity < 1) throw new IllegalArgumentException("KV capacity must be at least 1");
        this.type = type;
        this.format = QuantFormat.of(type.ggml);
        this.capacity = capacity;
        this.kvHeads = config.kvHeads();
        this.headDim = config.headDim();
        this.elementBytes = type == Type.F32 ? 4 : 2;
        long layerBytes = (long) capacity * config.kvDim() * elementBytes;
        long total = 2L * config.layers() * layerBytes;
        long physical = physicalMemory();
        if (total > physical) {
            throw new IllegalArgumentException(String.format("a KV cache for a context of %d tokens needs %.1f GiB, "
                    + "more than this machine's %.1f GiB: use a smaller context", capacity, total / 1073741824.0,
                    physical / 1073741824.0));
        }
        Arena arena = Arena.ofAuto();
        this.keys = new MemorySegment[config.layers()];
        this.values = new MemorySegment[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            keys[l] = arena.allocate(layerBytes, 64);
            values[l] = arena.allocate(layerBytes, 64);
        }
    }

    private static long physicalMemory() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }

    public int capacity() {
        return capacity;
    }

    public Type type() {
        return type;
    }

    /** Bytes held, for reports. */
    public long bytes() {
        return 2L * keys.length * keys[0].byteSize();
    }

    /** Byte offset of a head's elements at a position within a layer. */
    private long at(int pos, int kvHead) {
        return ((long) kvHead * capacity + pos) * headDim * elementBytes;
    }

    /** Stores one position's keys and values ({@code kvDim} floats each, head after head) for a layer. */
    void store(int layer, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        for (int h = 0; h < kvHeads; h++) {
            long at = at(pos, h);
            int from = h * headDim;
            if (type == Type.F32) {
                MemorySegment.copy(k, kOffset + from, keys[layer], FLOAT, at, headDim);
                MemorySegment.copy(v, vOffset + from, values[layer], FLOAT, at, headDim);
            } else {
                for (int i = 0; i < headDim; i++) {
                    keys[layer].set(HALF, at + 2L * i, Float.floatToFloat16(k[kOffset + from + i]));
                    values[layer].set(HALF, at + 2L * i, Float.floatToFloat16(v[vOffset + from + i]));
                }
            }
        }
    }

    /** q · key of one KV head at one position. */
    float dotKey(int layer, int pos, int kvHead, float[] q, int qOffset) {
        return format.dot(keys[layer], at(pos, kvHead), q, qOffset, headDim);
    }

    /** out += alpha · value of one KV head at one position. */
    void addValue(int layer, int pos, int kvHead, float alpha, float[] out, int outOffset) {
        long at = at(pos, kvHead);
        if (type == Type.F32) RowOps.axpyF32(alpha, values[layer], at, out, outOffset, headDim);
        else RowOps.axpyF16(alpha, values[layer], at, out, outOffset, headDim);
    }
}
