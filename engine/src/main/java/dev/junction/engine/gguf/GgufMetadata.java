package dev.junction.engine.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The key/value metadata of a GGUF file, in file order, with typed getters. The {@code require*} getters fail with
 * a {@link ModelFormatException} naming the file and the key, so loaders need no checks of their own.
 */
public final class GgufMetadata {
    private final Path file;
    private final SequencedMap<String, MetadataValue> values;

    public GgufMetadata(Path file, SequencedMap<String, MetadataValue> values) {
        this.file = file;
        this.values = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(values));
    }

    public SequencedMap<String, MetadataValue> asMap() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<MetadataValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public Optional<String> getString(String key) {
        return get(key).map(v -> cast(key, v, String.class));
    }

    public String requireString(String key) {
        return getString(key).orElseThrow(() -> missing(key));
    }

    /** An integer of any integer type (or a whole float), as a long. */
    public Optional<Long> getLong(String key) {
        return get(key).map(v -> switch (v.value()) {
            case Long l -> l;
            case Boolean b -> b ? 1L : 0L;
            default -> throw wrongType(key, v, "an integer");
        });
    }

    public long requireLong(String key) {
        return getLong(key).orElseThrow(() -> missing(key));
    }

    public int getInt(String key, int fallback) {
        return getLong(key).map(l -> toInt(key, l)).orElse(fallback);
    }

    public int requireInt(String key) {
        return toInt(key, requireLong(key));
    }

    public Optional<Float> getFloat(String key) {
        return get(key).map(v -> switch (v.value()) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Long l -> l.floatValue();
            default -> throw wrongType(key, v, "a number");
        });
    }

    public float getFloat(String key, float fallback) {
        return getFloat(key).orElse(fallback);
    }

    public boolean getBoolean(String key, boolean fallback) {
        return get(key).map(v -> switch (v.value()) {
            case Boolean b -> b;
            case Long l -> l != 0;
            default -> throw wrongType(key, v, "a boolean");
        }).orElse(fallback);
    }

    public Optional<String[]> getStringArray(String key) {
        return get(key).map(v -> cast(key, v, String[].class));
    }

    public String[] requireStringArray(String key) {
        return getStringArray(key).orElseThrow(() -> missing(key));
    }

    public Optional<float[]> getFloatArray(String key) {
        return get(key).map(v -> switch (v.value()) {
            case float[] a -> a;
            case double[] a -> {
                float[] f = new float[a.length];
                for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
                yield f;
            }
            case long[] a -> {
                float[] f = new float[a.length];
                for (int i = 0; i < a.length; i++) f[i] = a[i];
                yield f;
            }
            default -> throw wrongType(key, v, "an array of numbers");
        });
    }

    /** An array of any integer type, narrowed to ints (fails when an element does not fit). */
    public Optional<int[]> getIntArray(String key) {
        return get(key).map(v -> {
            long[] a = cast(key, v, long[].class);
            int[] out = new int[a.length];
            for (int i = 0; i < a.length; i++) out[i] = toInt(key, a[i]);
            return out;
        });
    }

    private <T> T cast(String key, MetadataValue v, Class<T> type) {
        if (!type.isInstance(v.value())) throw wrongType(key, v, type.getSimpleName());
        return type.cast(v.value());
    }

    private int toInt(String key, long value) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new ModelFormatException(file, "metadata " + key + " = " + value + " is out of range");
        }
        return (int) value;
    }

    private ModelFormatException missing(String key) {
        return new ModelFormatException(file, "missing required metadata " + key);
    }

    private ModelFormatException wrongType(String key, MetadataValue v, String expected) {
        return new ModelFormatException(file, "metadata " + key + " is " + v.type()
                + (v.elementType() != null ? " of " + v.elementType() : "") + ", expected " + expected);
    }
}
