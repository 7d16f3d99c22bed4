package dev.junction.engine.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One GGUF metadata value with its exact file type, so that a file can be written back unchanged.
 *
 * <p>{@code value} is, by type: {@code Long} for the integer types (unsigned ones zero-extended; a {@code UINT64}
 * above {@code Long.MAX_VALUE} reads as negative), {@code Float}, {@code Double}, {@code Boolean}, {@code String}.
 * Arrays ({@code type == ARRAY}) hold a primitive array for numbers ({@code long[]} for integers, {@code float[]},
 * {@code double[]}, {@code boolean[]}), a {@code String[]} for strings, and a {@code MetadataValue[]} (each itself an
 * {@code ARRAY}) for nested arrays; {@code elementType} says which.
 *
 * <p>Equality is by content, arrays included, so values read from two files can be compared directly.
 */
public record MetadataValue(MetadataType type, MetadataType elementType, Object value) {
    public MetadataValue {
        Objects.requireNonNull(type);
        Objects.requireNonNull(value);
        if (type == MetadataType.ARRAY) Objects.requireNonNull(elementType, "array element type");
    }

    public static MetadataValue of(MetadataType type, Object value) {
        return new MetadataValue(type, null, value);
    }

    public static MetadataValue array(MetadataType elementType, Object elements) {
        return new MetadataValue(MetadataType.ARRAY, elementType, elements);
    }

    public static MetadataValue string(String s) {
        return of(MetadataType.STRING, s);
    }

    public static MetadataValue uint8(long v) {
        return of(MetadataType.UINT8, v);
    }

    public static MetadataValue int8(long v) {
        return of(MetadataType.INT8, v);
    }

    public static MetadataValue uint16(long v) {
        return of(MetadataType.UINT16, v);
    }

    public static MetadataValue int16(long v) {
        return of(MetadataType.INT16, v);
    }

    public static MetadataValue uint32(long v) {
        return of(MetadataType.UINT32, v);
    }

    public static MetadataValue int32(long v) {
        return of(MetadataType.INT32, v);
    }

    public static MetadataValue uint64(long v) {
        return of(MetadataType.UINT64, v);
    }

    public static MetadataValue int64(long v) {
        return of(MetadataType.INT64, v);
    }

    public static MetadataValue float32(float v) {
        return of(MetadataType.FLOAT32, v);
    }

    public static MetadataValue float64(double v) {
        return of(MetadataType.FLOAT64, v);
    }

    public static MetadataValue bool(boolean v) {
        return of(MetadataType.BOOL, v);
    }

    public static MetadataValue stringArray(String... v) {
        return array(MetadataType.STRING, v);
    }

    public static MetadataValue float32Array(float... v) {
        return array(MetadataType.FLOAT32, v);
    }

    public static MetadataValue int32Array(long... v) {
        return array(MetadataType.INT32, v);
    }

    /** Number of elements of an array value. */
    public int length() {
        return switch (value) {
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case Object[] a -> a.length;
            default -> throw new IllegalStateException("not an array: " + type);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataValue m && type == m.type && elementType == m.elementType
                && Arrays.deepEquals(new Object[] {value}, new Object[] {m.value});
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType) * 31 + Arrays.deepHashCode(new Object[] {value});
    }

    @Override
    public String toString() {
        if (type != MetadataType.ARRAY) return String.valueOf(value);
        return "[" + elementType + " x " + length() + "]";
    }
}
