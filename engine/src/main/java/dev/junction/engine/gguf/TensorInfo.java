package dev.junction.engine.gguf;

import dev.junction.engine.tensor.GgmlType;

import java.util.Arrays;

/**
 * A tensor's entry in a GGUF file. {@code shape} is in ggml order: {@code shape[0]} is the number of columns (the
 * contiguous dimension), {@code shape[1]} the number of rows. {@code offset} is relative to the data section.
 */
public record TensorInfo(String name, GgmlType type, long[] shape, long offset) {
    public long elementCount() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public long byteSize() {
        return type.bytesFor(elementCount());
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape)
                && offset == t.offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
