package dev.junction.engine.kernel;

import dev.junction.engine.tensor.GgmlType;
import dev.junction.engine.tensor.QuantFormat;

import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight matrix as stored in a GGUF file: {@code rows} rows of {@code cols} elements, each row a run of its
 * type's blocks. Products with activations are computed by {@link MatMul}.
 */
public record Matrix(String name, QuantFormat format, MemorySegment data, int rows, int cols) {
    public Matrix {
        long expected = (long) rows * format.type().bytesFor(cols);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for " + rows + "x" + cols
                    + " " + format.type() + ", expected " + expected);
        }
    }

    public GgmlType type() {
        return format.type();
    }

    public long rowBytes() {
        return format.type().bytesFor(cols);
    }

    /** Dequantizes one row into {@code dst[dstOffset ..]}: an embedding lookup. */
    public void row(int r, float[] dst, int dstOffset) {
        format.dequantize(data, r * rowBytes(), dst, dstOffset, cols);
    }
}
