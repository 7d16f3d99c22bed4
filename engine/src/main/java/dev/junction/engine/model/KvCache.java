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
 * in F32, or in F16 at half the memory and bandwidth. Layout per layer: position-major, {@code kvDim} elements a
 * position. The memory is released when the cache becomes unreachable.
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
    private final MemorySegment[] keys, values; // per layer: capacity * kvDim elements
    private final int capacity, kvDim, elementBytes;

    public KvCache(ModelConfig config, int capacity, Type type) {
        if (capacity < 1) throw new IllegalArgumentException("KV capacity must be at least 1");
        this.type = type;
        this.format = QuantFormat.of(type.ggml);
        this.capacity = capacity;
        this.kvDim = config.kvDim();
        this.elementBytes = type == Type.F32 ? 4 : 2;
        long layerBytes = (long) capacity * kvDim * elementBytes;
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

    /** Stores one position's keys and values ({@code kvDim} floats each) for a layer. */
    void store(int layer, int pos, float[] k, int kOffset, float[] v, int vOffset) {
        long at = (long) pos * kvDim * elementBytes;
        if (type == Type.F32) {
            MemorySegment.copy(k, kOffset, keys[layer], FLOAT, at, kvDim);
            MemorySegment.copy(v, vOffset, values[layer], FLOAT, at, kvDim);
        } else {
            for (int i = 0; i < kvDim; i++) {
                keys[layer].set(HALF, at + 2L * i, Float.floatToFloat16(k[kOffset + i]));
                values[layer].set(HALF, at + 2L * i, Float.floatToFloat16(v[vOffset + i]));
            }
        }
    }

    /** q · key, over the {@code n} elements of a head starting at {@code kvOffset} within the position's row. */
    float dotKey(int layer, int pos, int kvOffset, float[] q, int qOffset, int n) {
        return format.dot(keys[layer], ((long) pos * kvDim + kvOffset) * elementBytes, q, qOffset, n);
    }

    /** out += alpha · value, over the {@code n} elements of a head starting at {@code kvOffset}. */
    void addValue(int layer, int pos, int kvOffset, float alpha, float[] out, int outOffset, int n) {
        long at = ((long) pos * kvDim + kvOffset) * elementBytes;
        if (type == Type.F32) RowOps.axpyF32(alpha, values[layer], at, out, outOffset, n);
        else RowOps.axpyF16(alpha, values[layer], at, out, outOffset, n);
    }
}
