package dev.junction.engine.tensor;

/** Registry of the {@link QuantFormat} implementations, one per supported {@link GgmlType}. */
final class QuantFormats {
    private QuantFormats() {}

    static QuantFormat of(GgmlType type) {
        // Filled in by the tensor package: one implementation per supported type.
        throw new UnsupportedOperationException("no kernels for tensor type " + type);
    }
}
