package dev.junction.engine.gguf;

import dev.junction.engine.tensor.GgmlType;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Every way a file can be broken ends in a {@link ModelFormatException} that names the file and the problem. */
class GgufCorruptFileTest {
    @TempDir
    Path dir;

    private static final long[] ONE = {1};

    /** Opens {@code path} expecting a ModelFormatException about it; returns an assertion on its message. */
    private static AbstractStringAssert<?> rejects(Path path) {
        Throwable t = catchThrowable(() -> GgufFile.open(path).close());
        assertThat(t).isExactlyInstanceOf(ModelFormatException.class);
        assertThat(((ModelFormatException) t).file()).isEqualTo(path);
        return assertThat(t.getMessage()).startsWith(path + ": ");
    }

    private int files;

    /** A new file each time: rewriting one in place makes ext4 flush it to disk on every close, slowly. */
    private Path file(RawGguf raw) {
        return raw.writeTo(dir.resolve("bad-" + files++ + ".gguf"));
    }

    private Path file(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("bad-" + files++ + ".gguf"), bytes);
    }

    private byte[] valid() throws IOException {
        return Files.readAllBytes(GgufTestFiles.write(dir.resolve("valid.gguf"), GgufTestFiles.small()));
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] b = valid();
        b[3] = 'L';
        rejects(file(b)).contains("not a GGUF file", "0x4c554747");
        rejects(file("{\"model\": \"not gguf\"}".getBytes())).contains("not a GGUF file");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, 0x7fffffff, -1})
    void unsupportedVersion(int version) {
        rejects(file(RawGguf.header(version, 0, 0))).contains("unsupported GGUF version "
                + Integer.toUnsignedString(version), "supported: 2, 3");
    }

    @Test
    void bigEndianFileIsNamedAsSuch() {
        rejects(file(RawGguf.header(Integer.reverseBytes(3), 0, 0))).contains("unsupported GGUF version", "big-endian");
    }

    @Test
    void emptyFileDirectoryAndMissingFile() throws IOException {
        rejects(file(new byte[0])).contains("empty file");
        rejects(file(new byte[] {'G', 'G'})).contains("too short");
        rejects(dir).contains("is a directory");
        rejects(dir.resolve("nope.gguf")).contains("no such file");
    }

    @Test
    void truncatedAnywhereInTheHeader() throws IOException {
        byte[] b = valid();
        long dataOffset;
        try (GgufFile f = GgufFile.open(dir.resolve("valid.gguf"))) {
            dataOffset = f.dataOffset();
        }
        for (int cut = 4; cut < dataOffset; cut++) {
            rejects(file(Arrays.copyOf(b, cut))).as("cut at " + cut).contains("truncated");
        }
    }

    @Test
    void truncatedData() throws IOException {
        byte[] b = valid();
        TensorInfo last;
        long dataOffset;
        try (GgufFile f = GgufFile.open(dir.resolve("valid.gguf"))) {
            last = f.tensors().lastEntry().getValue();
            dataOffset = f.dataOffset();
        }
        int end = (int) (dataOffset + last.offset() + last.byteSize());
        for (int cut : new int[] {(int) dataOffset, (int) dataOffset + 1, end - 100, end - 1}) {
            rejects(file(Arrays.copyOf(b, cut))).contains("tensor", "beyond the end of the file (" + cut + " bytes)");
        }
        rejects(file(RawGguf.header(3, 1, 0).tensor("t", new long[] {8}, GgmlType.F32.id, 0).pad(32).u64(0)))
                .contains("tensor t (32 bytes at data offset 0) extends to byte 96, beyond the end of the file (72");
        rejects(file(RawGguf.header(3, 1, 0).tensor("t", ONE, GgmlType.F32.id, Long.MAX_VALUE - 63).pad(32)))
                .contains("tensor t (4 bytes at data offset 9223372036854775744) extends to byte 9223372036854775812,"
                        + " beyond the end of the file (64 bytes)");
        rejects(file(RawGguf.header(3, 1, 0).tensor("t", ONE, GgmlType.F32.id, -32).pad(32)))
                .contains("tensor t has a bad data offset 18446744073709551584");
    }

    @Test
    void unknownTensorType() {
        for (int id : new int[] {4, 5, 31, 64, 1000, -1}) {
            rejects(file(RawGguf.header(3, 1, 0).tensor("w", ONE, id, 0).pad(32).u64(0)))
                    .contains("tensor w has unknown type id " + Integer.toUnsignedString(id));
        }
    }

    @Test
    void unknownMetadataValueType() {
        rejects(file(RawGguf.header(3, 0, 1).str("k").u32(13).u32(0)))
                .contains("unknown value type 13 for metadata k");
        rejects(file(RawGguf.header(3, 0, 1).str("k").u32(MetadataType.ARRAY.id).u32(-7).u64(0)))
                .contains("unknown value type 4294967289 for array element of k");
    }

    @Test
    void hugeStringLengths() {
        for (long len : new long[] {1000, 1L << 31, 1L << 62, Long.MAX_VALUE, -1}) {
            rejects(file(RawGguf.header(3, 0, 1).u64(len).bytes(new byte[40])))
                    .contains("string length " + Long.toUnsignedString(len) + " of metadata key runs past the end");
            rejects(file(RawGguf.header(3, 0, 1).str("k").u32(MetadataType.STRING.id).u64(len).bytes(new byte[40])))
                    .contains("string length " + Long.toUnsignedString(len) + " of k runs past the end");
            rejects(file(RawGguf.header(3, 1, 0).u64(len).bytes(new byte[40])))
                    .contains("of tensor name runs past the end");
        }
    }

    @Test
    void hugeArrayCounts() {
        for (MetadataType element : MetadataType.values()) {
            for (long n : new long[] {100, 1L << 31, 1L << 61, Long.MAX_VALUE, -1}) {
                rejects(file(RawGguf.header(3, 0, 1).str("k").u32(MetadataType.ARRAY.id).u32(element.id).u64(n)
                        .bytes(new byte[64])))
                        .contains("length of k " + Long.toUnsignedString(n) + " is larger than the file can hold");
            }
        }
    }

    @Test
    void hugeTensorAndMetadataCounts() {
        for (long n : new long[] {1000, 1L << 32, Long.MAX_VALUE, -1}) {
            rejects(file(RawGguf.header(3, n, 0).bytes(new byte[100])))
                    .contains("tensor count " + Long.toUnsignedString(n) + " is larger than the file can hold");
            rejects(file(RawGguf.header(3, 0, n).bytes(new byte[100])))
                    .contains("metadata count " + Long.toUnsignedString(n) + " is larger than the file can hold");
        }
    }

    @Test
    void impossibleShapes() {
        long[][] shapes = {{-1}, {4, -4}, {Long.MIN_VALUE}, {1L << 32, 1L << 32}, {1L << 20, 1L << 20, 1L << 20},
                {Long.MAX_VALUE}};
        for (long[] shape : shapes) {
            rejects(file(RawGguf.header(3, 1, 0).tensor("w", shape, GgmlType.F32.id, 0).pad(32)))
                    .as(Arrays.toString(shape)).contains("tensor w has an impossible shape");
        }
        // fits in a long as elements, but not as bytes: must still fail cleanly
        rejects(file(RawGguf.header(3, 1, 0).tensor("w", new long[] {1L << 58}, GgmlType.F64.id, 0).pad(32)))
                .contains("beyond the end of the file");
        rejects(file(RawGguf.header(3, 1, 0).tensor("w", new long[] {16}, GgmlType.Q4_0.id, 0).pad(32)))
                .contains("row length 16 is not a multiple of the Q4_0 block size 32");
    }

    @Test
    void dimensionCounts() {
        for (int dims : new int[] {0, 5, 100, -1}) {
            rejects(file(RawGguf.header(3, 1, 0).str("w").u32(dims).bytes(new byte[200])))
                    .contains("tensor w has " + Integer.toUnsignedString(dims) + " dimensions (1 to 4 allowed)");
        }
    }

    @Test
    void duplicates() {
        rejects(file(RawGguf.header(3, 0, 2).kvU32("k", 1).kvU32("k", 2))).contains("duplicate metadata key k");
        rejects(file(RawGguf.header(3, 2, 0).tensor("w", ONE, 0, 0).tensor("w", ONE, 0, 32).pad(32).bytes(new byte[64])))
                .contains("duplicate tensor w");
    }

    @Test
    void badAlignment() {
        for (int a : new int[] {0, 3, 48, -32}) {
            rejects(file(RawGguf.header(3, 0, 1).kvU32("general.alignment", a).pad(32)))
                    .contains("general.alignment", "power of two");
        }
        rejects(file(RawGguf.header(3, 0, 1).str("general.alignment").u32(MetadataType.STRING.id).str("32")))
                .contains("metadata general.alignment is STRING, expected an integer");
        rejects(file(RawGguf.header(3, 1, 0).tensor("w", ONE, 0, 4).pad(32).bytes(new byte[64])))
                .contains("tensor w has a bad data offset 4 (not a multiple of the alignment 32)");
    }

    @Test
    void arraysNestedTooDeeply() {
        RawGguf raw = RawGguf.header(3, 0, 1).str("k").u32(MetadataType.ARRAY.id);
        for (int i = 0; i < 20; i++) raw.u32(MetadataType.ARRAY.id).u64(1);
        rejects(file(raw.u32(MetadataType.UINT8.id).u64(0).bytes(new byte[32]))).contains("k nests arrays too deeply");
    }

    @Test
    void aValidFileBuiltByHandOpens() throws IOException {
        // the control for the cases above: the same raw builder makes files the reader accepts
        byte[] data = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f).array();
        Path p = file(RawGguf.header(3, 1, 1).kvU32("general.alignment", 16)
                .tensor("w", ONE, GgmlType.F32.id, 0).pad(16).bytes(data).pad(16));
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.alignment()).isEqualTo(16);
            assertThat(f.data(f.requireTensor("w")).get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0))
                    .isEqualTo(2.5f);
        }
    }
}
