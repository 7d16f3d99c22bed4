package dev.junction.engine.gguf;

import dev.junction.engine.tensor.GgmlType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes GGUF files (version 3 by default, or 2) that llama.cpp and {@link GgufFile} read: the engine's own way to
 * produce test models, converted or re-quantized models, and trimmed copies of real ones.
 *
 * <p>Metadata keeps insertion order ({@code put} on an existing key replaces the value in place); tensors keep the
 * order they were added in. The layout follows llama.cpp's writer exactly — data section and every tensor (the last
 * one included) padded with zeros to {@code general.alignment}, default 32 — so a file read and written back comes out
 * byte for byte the same. Tensor bytes can come from memory or from a {@link TensorSource} that fills the tensor's
 * region of the output in place, so models of many gigabytes can be generated without being held in memory.
 *
 * <p>The file is written under a temporary name in the same folder, forced to disk, and then moved over the
 * target, so a crash or a failing source never leaves a half-written file under the final name. Values are checked
 * when they are added ({@link IllegalArgumentException}), not when the file is written. Not thread-safe.
 */
public final class GgufWriter {
    /**
     * Fills a tensor's bytes in the output file. {@code target} is exactly the tensor's size (ggml layout, little
     * endian) and is only valid during the call; it may be filled from several threads.
     */
    @FunctionalInterface
    public interface TensorSource {
        void fill(MemorySegment target) throws IOException;
    }

    private record Tensor(String name, GgmlType type, long[] shape, long byteSize, MemorySegment data,
                          TensorSource source) {}

    private static final int CHUNK = 16 << 20;

    private int version = 3;
    private final SequencedMap<String, MetadataValue> metadata = new LinkedHashMap<>();
    private final SequencedMap<String, Tensor> tensors = new LinkedHashMap<>();

    /** An empty GGUF v3 file: no metadata, no tensors. */
    public GgufWriter() {}

    /**
     * A writer holding everything in {@code file} — version, metadata, tensors with their data — to be written back
     * as is or changed first. The tensor data is read from {@code file} when writing, so keep it open until then.
     */
    public static GgufWriter copyOf(GgufFile file) {
        GgufWriter w = new GgufWriter().version(file.version());
        file.metadata().asMap().forEach(w::put);
        for (TensorInfo t : file.tensors().values()) w.addTensor(t.name(), t.type(), t.shape(), file.data(t));
        return w;
    }

    /** The GGUF version to write: 3 (the default, what llama.cpp writes today) or 2 (same layout, older readers). */
    public GgufWriter version(int version) {
        if (version != 2 && version != 3) throw new IllegalArgumentException("can write GGUF 2 or 3, not " + version);
        this.version = version;
        return this;
    }

    /** Adds or replaces a metadata value; a new key goes last, a replaced one keeps its place. */
    public GgufWriter put(String key, MetadataValue value) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("metadata key must not be empty");
        check(key, value, 0);
        if (key.equals("general.alignment")) checkAlignment(value);
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, MetadataValue.string(value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, MetadataValue.bool(value));
    }

    public GgufWriter putUint32(String key, long value) {
        return put(key, MetadataValue.uint32(value));
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, MetadataValue.int32(value));
    }

    public GgufWriter putUint64(String key, long value) {
        return put(key, MetadataValue.uint64(value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, MetadataValue.float32(value));
    }

    public GgufWriter putStringArray(String key, String... values) {
        return put(key, MetadataValue.stringArray(values));
    }

    public GgufWriter putFloat32Array(String key, float... values) {
        return put(key, MetadataValue.float32Array(values));
    }

    public GgufWriter putInt32Array(String key, int... values) {
        return put(key, MetadataValue.int32Array(Arrays.stream(values).asLongStream().toArray()));
    }

    /** Sets {@code general.alignment} (a power of two), the alignment of the data section and of every tensor. */
    public GgufWriter alignment(int alignment) {
        return putUint32("general.alignment", alignment);
    }

    /** Adds a tensor whose bytes are {@code data}, which must be exactly the size {@code type} and {@code shape} need. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        long size = byteSize(name, type, shape);
        if (data.byteSize() != size) {
            throw new IllegalArgumentException("tensor " + name + " " + type + " " + Arrays.toString(shape) + " needs "
                    + size + " bytes, got " + data.byteSize());
        }
        return add(new Tensor(name, type, shape.clone(), size, data, null));
    }

    /** Adds a tensor whose bytes are {@code data}, which must be exactly the size {@code type} and {@code shape} need. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] data) {
        return addTensor(name, type, shape, MemorySegment.ofArray(data));
    }

    /** Adds a tensor whose bytes {@code source} writes straight into the output file when the file is written. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorSource source) {
        if (source == null) throw new IllegalArgumentException("tensor " + name + " has no source");
        return add(new Tensor(name, type, shape.clone(), byteSize(name, type, shape), null, source));
    }

    /**
     * Writes the file, replacing any file at {@code path} only once the new one is complete. Fails with the
     * {@link IOException} of the file system or of a {@link TensorSource}; the target is then left untouched.
     */
    public void write(Path path) throws IOException {
        int alignment = alignment();
        Out header = new Out();
        header.u32(GgufFile.MAGIC);
        header.u32(version);
        header.u64(tensors.size());
        header.u64(metadata.size());
        for (Map.Entry<String, MetadataValue> e : metadata.entrySet()) {
            header.string(e.getKey());
            header.u32(e.getValue().type().id);
            value(header, e.getValue());
        }
        List<Long> offsets = new ArrayList<>();
        long offset = 0;
        for (Tensor t : tensors.values()) {
            header.string(t.name);
            header.u32(t.shape.length);
            for (long d : t.shape) header.u64(d);
            header.u32(t.type.id);
            header.u64(offset);
            offsets.add(offset);
            offset = pad(offset + t.byteSize, alignment);
        }
        long dataOffset = pad(header.size(), alignment);

        Path target = path.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
        boolean done = false;
        try {
            writeTo(temp, header, offsets, dataOffset, offset);
            try {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(temp);
        }
    }

    private void writeTo(Path temp, Out header, List<Long> offsets, long dataOffset, long dataSize)
            throws IOException {
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.wrap(header.bytes, 0, header.size()), 0);
            int i = 0;
            for (Tensor t : tensors.values()) {
                long at = dataOffset + offsets.get(i++);
                if (t.data != null) {
                    for (long p = 0; p < t.byteSize; p += CHUNK) {
                        long n = Math.min(CHUNK, t.byteSize - p);
                        writeFully(out, t.data.asSlice(p, n).asByteBuffer(), at + p);
                    }
                } else if (t.byteSize == 0) {
                    t.source.fill(MemorySegment.ofArray(new byte[0]));
                } else {
                    try (Arena arena = Arena.ofShared()) {
                        MemorySegment region = out.map(FileChannel.MapMode.READ_WRITE, at, t.byteSize, arena);
                        t.source.fill(region);
                        region.force();
                    }
                }
            }
            // zero padding up to the (aligned) end, written rather than left as a hole so the size is exact
            long end = dataOffset + dataSize;
            long written = tensors.isEmpty() ? header.size()
                    : dataOffset + offsets.getLast() + tensors.lastEntry().getValue().byteSize;
            if (end > written) writeFully(out, ByteBuffer.allocate((int) (end - written)), written);
            out.truncate(end);
            out.force(true);
        }
    }

    private int alignment() {
        MetadataValue a = metadata.get("general.alignment");
        return a == null ? GgufFile.DEFAULT_ALIGNMENT : (int) (long) (Long) a.value();
    }

    private static void checkAlignment(MetadataValue value) {
        // llama.cpp insists on UINT32 here
        if (value.type() != MetadataType.UINT32 || !(value.value() instanceof Long l) || l <= 0 || l > 1 << 30
                || Long.bitCount(l) != 1) {
            throw new IllegalArgumentException("general.alignment must be a UINT32 power of two, got " + value.type()
                    + " " + value);
        }
    }

    private GgufWriter add(Tensor t) {
        if (tensors.containsKey(t.name)) throw new IllegalArgumentException("duplicate tensor " + t.name);
        tensors.put(t.name, t);
        return this;
    }

    private static long byteSize(String name, GgmlType type, long[] shape) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("tensor name must not be empty");
        if (type == null) throw new IllegalArgumentException("tensor " + name + " has no type");
        if (shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException("tensor " + name + " has " + shape.length + " dimensions (1 to 4 allowed)");
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor " + name + " has a negative dimension");
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor " + name + " " + Arrays.toString(shape) + " is too large");
            }
        }
        if (shape[0] % type.blockSize != 0) {
            throw new IllegalArgumentException("tensor " + name + " row length " + shape[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize);
        }
        try {
            return type.bytesFor(elements);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor " + name + " " + Arrays.toString(shape) + " is too large");
        }
    }

    /** Checks that {@code v} holds what its type says and that numbers fit their type. */
    private static void check(String key, MetadataValue v, int depth) {
        if (v == null) throw new IllegalArgumentException("metadata " + key + " has no value");
        if (v.type() != MetadataType.ARRAY) {
            checkScalar(key, v.type(), v.value());
            return;
        }
        if (depth > 8) throw new IllegalArgumentException("metadata " + key + " nests arrays too deeply");
        MetadataType e = v.elementType();
        Object a = v.value();
        boolean ok = switch (e) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                if (a instanceof long[] longs) for (long l : longs) checkScalar(key, e, l);
                yield a instanceof long[];
            }
            case FLOAT32 -> a instanceof float[];
            case FLOAT64 -> a instanceof double[];
            case BOOL -> a instanceof boolean[];
            case STRING -> {
                if (a instanceof String[] strings) for (String s : strings) checkScalar(key, e, s);
                yield a instanceof String[];
            }
            case ARRAY -> {
                if (a instanceof MetadataValue[] nested) {
                    for (MetadataValue n : nested) {
                        if (n == null || n.type() != MetadataType.ARRAY) {
                            throw new IllegalArgumentException("metadata " + key + ": an array of arrays holds " + n);
                        }
                        check(key, n, depth + 1);
                    }
                }
                yield a instanceof MetadataValue[];
            }
        };
        if (!ok) {
            throw new IllegalArgumentException("metadata " + key + ": an array of " + e + " cannot hold a "
                    + a.getClass().getSimpleName());
        }
    }

    private static void checkScalar(String key, MetadataType type, Object value) {
        boolean ok = switch (type) {
            case UINT8 -> value instanceof Long l && l >= 0 && l <= 0xFF;
            case INT8 -> value instanceof Long l && l >= Byte.MIN_VALUE && l <= Byte.MAX_VALUE;
            case UINT16 -> value instanceof Long l && l >= 0 && l <= 0xFFFF;
            case INT16 -> value instanceof Long l && l >= Short.MIN_VALUE && l <= Short.MAX_VALUE;
            case UINT32 -> value instanceof Long l && l >= 0 && l <= 0xFFFFFFFFL;
            case INT32 -> value instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE;
            case UINT64, INT64 -> value instanceof Long;
            case FLOAT32 -> value instanceof Float;
            case FLOAT64 -> value instanceof Double;
            case BOOL -> value instanceof Boolean;
            case STRING -> value instanceof String;
            case ARRAY -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException("metadata " + key + ": " + value + " ("
                    + (value == null ? "null" : value.getClass().getSimpleName()) + ") is not a valid " + type);
        }
    }

    private static void value(Out out, MetadataValue v) {
        if (v.type() != MetadataType.ARRAY) {
            scalar(out, v.type(), v.value());
            return;
        }
        MetadataType e = v.elementType();
        out.u32(e.id);
        out.u64(v.length());
        switch (v.value()) {
            case long[] a -> { for (long x : a) scalar(out, e, x); }
            case float[] a -> { for (float x : a) out.u32(Float.floatToRawIntBits(x)); }
            case double[] a -> { for (double x : a) out.u64(Double.doubleToRawLongBits(x)); }
            case boolean[] a -> { for (boolean x : a) out.u8(x ? 1 : 0); }
            case String[] a -> { for (String x : a) out.string(x); }
            case MetadataValue[] a -> { for (MetadataValue x : a) value(out, x); }
            default -> throw new IllegalStateException("unchecked array " + v);
        }
    }

    private static void scalar(Out out, MetadataType type, Object v) {
        switch (type) {
            case UINT8, INT8 -> out.u8((int) (long) (Long) v);
            case UINT16, INT16 -> out.u16((int) (long) (Long) v);
            case UINT32, INT32 -> out.u32((int) (long) (Long) v);
            case UINT64, INT64 -> out.u64((Long) v);
            case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) v));
            case FLOAT64 -> out.u64(Double.doubleToRawLongBits((Double) v));
            case BOOL -> out.u8((Boolean) v ? 1 : 0);
            case STRING -> out.string((String) v);
            case ARRAY -> throw new IllegalStateException("array as scalar");
        }
    }

    private static long pad(long n, int alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) position += out.write(buffer, position);
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class Out {
        byte[] bytes = new byte[4096];
        private ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

        int size() {
            return buf.position();
        }

        private ByteBuffer room(int n) {
            if (buf.remaining() < n) {
                long wanted = Math.max((long) bytes.length * 2, (long) buf.position() + n);
                if (wanted > Integer.MAX_VALUE - 8) throw new IllegalStateException("GGUF header larger than 2 GiB");
                int pos = buf.position();
                bytes = Arrays.copyOf(bytes, (int) wanted);
                buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).position(pos);
            }
            return buf;
        }

        void u8(int v) {
            room(1).put((byte) v);
        }

        void u16(int v) {
            room(2).putShort((short) v);
        }

        void u32(int v) {
            room(4).putInt(v);
        }

        void u64(long v) {
            room(8).putLong(v);
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            u64(utf8.length);
            room(utf8.length).put(utf8);
        }
    }
}
