package dev.junction.engine.model;

/**
 * Keys and values of one sequence for every layer, for {@code capacity} positions: sized to the context a sequence
 * will actually use, not the model's maximum. Layout per layer: position-major, {@code kvDim} floats a position.
 */
public final class KvCache {
    final float[][] keys;   // (layer, capacity * kvDim)
    final float[][] values; // (layer, capacity * kvDim)
    private final int capacity;

    public KvCache(ModelConfig config, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("KV capacity must be at least 1");
        this.capacity = capacity;
        long floats = (long) capacity * config.kvDim();
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("context " + capacity + " is too large for one KV cache array");
        }
        long bytes = 2L * config.layers() * floats * Float.BYTES;
        long free = Runtime.getRuntime().maxMemory() - (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        if (bytes > free) {
            throw new IllegalArgumentException(String.format("a KV cache for a context of %d tokens needs %.1f GiB but "
                    + "the JVM has %.1f GiB free: use a smaller context", capacity, bytes / 1073741824.0, free / 1073741824.0));
        }
        this.keys = new float[config.layers()][(int) floats];
        this.values = new float[config.layers()][(int) floats];
    }

    public int capacity() {
        return capacity;
    }

    /** Bytes held, for reports. */
    public long bytes() {
        return 2L * keys.length * keys[0].length * Float.BYTES;
    }
}
