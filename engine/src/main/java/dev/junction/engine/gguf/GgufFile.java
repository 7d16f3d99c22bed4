package dev.junction.engine.gguf;

import dev.junction.engine.tensor.GgmlType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * A GGUF file (versions 2 and 3), memory-mapped with the FFM API: the header and metadata are parsed eagerly, tensor
 * data stays in the mapping and is handed out as {@link MemorySegment} slices, so files larger than the heap (or than
 * 2 GiB) load without copying.
 *
 * <p>Every length and count in the file is checked against the bytes that remain before anything is allocated, so a
 * corrupt or truncated file fails with a {@link ModelFormatException}, never with an {@code OutOfMemoryError} or a
 * crash. Close the file to unmap it; segments obtained from it are invalid afterwards.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian int. */
    public static final int MAGIC = 0x46554747;
    public static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final GgufMetadata metadata;
    private final SequencedMap<String, TensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;
    private final boolean mapped;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, int version, GgufMetadata metadata,
                     SequencedMap<String, TensorInfo> tensors, int alignment, long dataOffset, boolean mapped) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.mapped = mapped;
    }

    /** Maps and parses {@code path}; fails with a {@link ModelFormatException} for any problem with the file. */
    public static GgufFile open(Path path) {
        return open(path, true, LoadProgress.NONE);
    }

    /**
     * Opens {@code path} memory-mapped ({@code mmap}) or read whole into anonymous off-heap memory (no page faults or
     * read-ahead surprises later, at the cost of the read up front); {@code progress} hears the bytes read.
     */
    public static GgufFile open(Path path, boolean mmap, LoadProgress progress) {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "no such file");
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read: " + e.getMessage());
        }
        if (Files.isDirectory(path)) throw new ModelFormatException(path, "is a directory, not a GGUF file");
        if (size == 0) throw new ModelFormatException(path, "empty file (0 bytes), not a GGUF file");
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment bytes = mmap ? channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena)
                    : readFully(channel, size, arena, progress);
            return new Parser(path, bytes).parse(arena, mmap);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(path, "cannot read: " + e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static MemorySegment readFully(FileChannel channel, long size, Arena arena, LoadProgress progress)
            throws IOException {
        MemorySegment memory = arena.allocate(size, 4096);
        final long chunk = 64L << 20;
        for (long done = 0; done < size; ) {
            var buffer = memory.asSlice(done, Math.min(chunk, size - done)).asByteBuffer();
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, done + buffer.position()) < 0) throw new IOException("file shrank while reading");
            }
            done += buffer.capacity();
            progress.update(done, size);
        }
        return memory;
    }

    public Path path() {
        return path;
    }

    /** Whether the tensor data is memory-mapped from the file (else it was read into memory). */
    public boolean mapped() {
        return mapped;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensor infos in file order, by name. */
    public SequencedMap<String, TensorInfo> tensors() {
        return tensors;
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute file offset of the tensor data section. */
    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    /** The named tensor's info; fails naming the tensor and file when it is absent. */
    public TensorInfo requireTensor(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) throw new ModelFormatException(path, "missing required tensor " + name);
        return info;
    }

    /** The bytes of a tensor, a slice of the mapping. */
    public MemorySegment data(TensorInfo info) {
        return mapping.asSlice(dataOffset + info.offset(), info.byteSize());
    }

    @Override
    public void close() {
        arena.close();
    }

    /** One pass over the header; {@code pos} is the read position. */
    private static final class Parser {
        private final Path path;
        private final MemorySegment in;
        private final long size;
        private long pos;

        Parser(Path path, MemorySegment in) {
            this.path = path;
            this.in = in;
            this.size = in.byteSize();
        }

        GgufFile parse(Arena arena, boolean mapped) {
            if (size < 4) throw new ModelFormatException(path, "too short to be a GGUF file (" + size + " bytes)");
            int magic = in.get(I32, 0);
            if (magic != MAGIC) {
                throw new ModelFormatException(path, "not a GGUF file (magic " + String.format("0x%08x", magic)
                        + ", expected 'GGUF')");
            }
            pos = 4;
            int version = u32("version");
            if (version != 2 && version != 3) {
                int swapped = Integer.reverseBytes(version);
                throw new ModelFormatException(path, "unsupported GGUF version " + Integer.toUnsignedString(version)
                        + " (supported: 2, 3)" + (swapped == 2 || swapped == 3 ? "; a big-endian file?" : ""));
            }
            long tensorCount = count("tensor count", 8 + 4 + 4 + 8);
            long kvCount = count("metadata count", 8 + 4 + 1);

            SequencedMap<String, MetadataValue> kv = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                long at = pos;
                String key = string("metadata key");
                MetadataType type = type("metadata " + key);
                if (kv.put(key, value(type, key, 0)) != null) {
                    throw new ModelFormatException(path, at, "duplicate metadata key " + key);
                }
            }
            GgufMetadata metadata = new GgufMetadata(path, kv);

            long align = metadata.getLong("general.alignment").orElse((long) DEFAULT_ALIGNMENT);
            if (align <= 0 || align > 1 << 30 || Long.bitCount(align) != 1) {
                throw new ModelFormatException(path, "general.alignment " + align
                        + " is not a power of two (up to 2^30)");
            }
            int alignment = (int) align;

            SequencedMap<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                long at = pos;
                TensorInfo info = tensorInfo(alignment);
                if (tensors.put(info.name(), info) != null) {
                    throw new ModelFormatException(path, at, "duplicate tensor " + info.name());
                }
            }
            long dataOffset = Math.ceilDiv(pos, alignment) * alignment;
            for (TensorInfo t : tensors.values()) {
                if (t.offset() > size - dataOffset || t.byteSize() > size - dataOffset - t.offset()) {
                    // offset < 2^63 and dataOffset + byteSize < 2^63 (shape bound above): the sum cannot pass 2^64
                    String end = Long.toUnsignedString(dataOffset + t.offset() + t.byteSize());
                    throw new ModelFormatException(path, "tensor " + t.name() + " (" + t.byteSize() + " bytes at data"
                            + " offset " + t.offset() + ") extends to byte " + end + ", beyond the end of the file ("
                            + size + " bytes): truncated file?");
                }
            }
            return new GgufFile(path, arena, in, version, metadata, Collections.unmodifiableSequencedMap(tensors),
                    alignment, dataOffset, mapped);
        }

        private TensorInfo tensorInfo(int alignment) {
            String name = string("tensor name");
            int dims = u32("dimension count of " + name);
            if (dims < 1 || dims > MAX_DIMS) {
                throw new ModelFormatException(path, pos - 4, "tensor " + name + " has " + Integer.toUnsignedString(dims)
                        + " dimensions (1 to " + MAX_DIMS + " allowed)");
            }
            long[] shape = new long[dims];
            long elements = 1;
            for (int d = 0; d < dims; d++) {
                need(8, "shape of " + name);
                shape[d] = in.get(I64, pos);
                pos += 8;
                // bound the element count so that the byte size of any type (at most 8 bytes per element) fits
                if (shape[d] < 0 || (shape[d] > 0 && elements > Long.MAX_VALUE / 16 / shape[d])) {
                    throw new ModelFormatException(path, pos - 8, "tensor " + name + " has an impossible shape ("
                            + (shape[d] < 0 ? "dimension " + d + " is " + Long.toUnsignedString(shape[d])
                            : "more than 2^59 elements") + ")");
                }
                elements *= shape[d];
            }
            int typeId = u32("type of " + name);
            GgmlType type = GgmlType.fromId(typeId);
            if (type == null) {
                throw new ModelFormatException(path, pos - 4, "tensor " + name + " has unknown type id "
                        + Integer.toUnsignedString(typeId));
            }
            if (shape[0] % type.blockSize != 0) {
                throw new ModelFormatException(path, "tensor " + name + " row length " + shape[0]
                        + " is not a multiple of the " + type + " block size " + type.blockSize);
            }
            need(8, "offset of " + name);
            long offset = in.get(I64, pos);
            pos += 8;
            if (offset < 0 || offset % alignment != 0) {
                throw new ModelFormatException(path, pos - 8, "tensor " + name + " has a bad data offset "
                        + Long.toUnsignedString(offset) + (offset < 0 ? "" : " (not a multiple of the alignment "
                        + alignment + ")"));
            }
            return new TensorInfo(name, type, shape, offset);
        }

        private MetadataValue value(MetadataType type, String key, int depth) {
            return switch (type) {
                case UINT8 -> MetadataValue.of(type, scalar(1, key) & 0xFF);
                case INT8 -> MetadataValue.of(type, (long) (byte) scalar(1, key));
                case UINT16 -> MetadataValue.of(type, scalar(2, key) & 0xFFFF);
                case INT16 -> MetadataValue.of(type, (long) (short) scalar(2, key));
                case UINT32 -> MetadataValue.of(type, scalar(4, key) & 0xFFFFFFFFL);
                case INT32 -> MetadataValue.of(type, (long) (int) scalar(4, key));
                case UINT64, INT64 -> MetadataValue.of(type, scalar(8, key));
                case FLOAT32 -> MetadataValue.of(type, Float.intBitsToFloat((int) scalar(4, key)));
                case FLOAT64 -> MetadataValue.of(type, Double.longBitsToDouble(scalar(8, key)));
                case BOOL -> MetadataValue.of(type, scalar(1, key) != 0);
                case STRING -> MetadataValue.of(type, string(key));
                case ARRAY -> array(key, depth);
            };
        }

        private MetadataValue array(String key, int depth) {
            if (depth > 8) throw new ModelFormatException(path, pos, "metadata " + key + " nests arrays too deeply");
            MetadataType element = type("array element of " + key);
            long n = count("length of " + key, element.minBytes);
            int len = (int) n;
            Object values = switch (element) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                    long[] a = new long[len];
                    for (int i = 0; i < len; i++) a[i] = (Long) value(element, key, depth).value();
                    yield a;
                }
                case BOOL -> {
                    boolean[] a = new boolean[len];
                    for (int i = 0; i < len; i++) a[i] = scalar(1, key) != 0;
                    yield a;
                }
                case FLOAT32 -> {
                    float[] a = new float[len];
                    for (int i = 0; i < len; i++) a[i] = Float.intBitsToFloat((int) scalar(4, key));
                    yield a;
                }
                case FLOAT64 -> {
                    double[] a = new double[len];
                    for (int i = 0; i < len; i++) a[i] = Double.longBitsToDouble(scalar(8, key));
                    yield a;
                }
                case STRING -> {
                    String[] a = new String[len];
                    for (int i = 0; i < len; i++) a[i] = string(key);
                    yield a;
                }
                case ARRAY -> {
                    MetadataValue[] a = new MetadataValue[len];
                    for (int i = 0; i < len; i++) a[i] = array(key, depth + 1);
                    yield a;
                }
            };
            return MetadataValue.array(element, values);
        }

        private MetadataType type(String what) {
            int id = u32("type of " + what);
            MetadataType t = MetadataType.fromId(id);
            if (t == null) {
                throw new ModelFormatException(path, pos - 4, "unknown value type " + Integer.toUnsignedString(id)
                        + " for " + what);
            }
            return t;
        }

        private long scalar(int bytes, String what) {
            need(bytes, what);
            long v = switch (bytes) {
                case 1 -> in.get(ValueLayout.JAVA_BYTE, pos);
                case 2 -> in.get(I16, pos);
                case 4 -> in.get(I32, pos);
                default -> in.get(I64, pos);
            };
            pos += bytes;
            return v;
        }

        private int u32(String what) {
            return (int) scalar(4, what);
        }

        /** A u64 count whose items take at least {@code minItemBytes} each: bounded by the bytes left. */
        private long count(String what, int minItemBytes) {
            long at = pos;
            long n = scalar(8, what);
            if (n < 0 || n > (size - pos) / Math.max(1, minItemBytes) || n > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException(path, at, what + " " + Long.toUnsignedString(n)
                        + " is larger than the file can hold: corrupt or truncated file");
            }
            return n;
        }

        private String string(String what) {
            long at = pos;
            long len = scalar(8, what);
            if (len < 0 || len > size - pos || len > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException(path, at, "string length " + Long.toUnsignedString(len) + " of " + what
                        + " runs past the end of the file: corrupt or truncated file");
            }
            byte[] bytes = in.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private void need(long bytes, String what) {
            if (pos + bytes > size) {
                throw new ModelFormatException(path, pos, "file ends in the middle of " + what
                        + ": truncated file (" + size + " bytes)");
            }
        }
    }
}
