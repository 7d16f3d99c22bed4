package dev.junction.engine.gguf;

import dev.junction.engine.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

import static dev.junction.engine.gguf.MetadataType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufWriterTest {
    @TempDir
    Path dir;

    /** One value of every type, arrays of every element type, nesting, and the empty and odd cases. */
    static SequencedMap<String, MetadataValue> everyType() {
        SequencedMap<String, MetadataValue> m = new LinkedHashMap<>();
        m.put("u8", MetadataValue.uint8(255));
        m.put("i8", MetadataValue.int8(-128));
        m.put("u16", MetadataValue.uint16(65535));
        m.put("i16", MetadataValue.int16(-32768));
        m.put("u32", MetadataValue.uint32(0xFFFF_FFFFL));
        m.put("i32", MetadataValue.int32(Integer.MIN_VALUE));
        m.put("u64", MetadataValue.uint64(-1L)); // 2^64 - 1, seen as a negative long
        m.put("i64", MetadataValue.int64(Long.MIN_VALUE));
        m.put("f32", MetadataValue.float32(-1.5e-7f));
        m.put("f32.nan", MetadataValue.float32(Float.NaN));
        m.put("f64", MetadataValue.float64(Math.PI));
        m.put("bool.true", MetadataValue.bool(true));
        m.put("bool.false", MetadataValue.bool(false));
        m.put("string", MetadataValue.string("llama"));
        m.put("string.empty", MetadataValue.string(""));
        m.put("string.unicode", MetadataValue.string("héllo ▁wörld 日本語 🦙 \0 nul"));
        m.put("ünïcödé.key 🔑", MetadataValue.string("key in UTF-8"));
        m.put("a.u8", MetadataValue.array(UINT8, new long[] {0, 1, 255}));
        m.put("a.i8", MetadataValue.array(INT8, new long[] {-128, 0, 127}));
        m.put("a.u16", MetadataValue.array(UINT16, new long[] {0, 65535}));
        m.put("a.i16", MetadataValue.array(INT16, new long[] {-32768, 32767}));
        m.put("a.u32", MetadataValue.array(UINT32, new long[] {0, 0xFFFF_FFFFL}));
        m.put("a.i32", MetadataValue.int32Array(-1, 2, Integer.MAX_VALUE));
        m.put("a.u64", MetadataValue.array(UINT64, new long[] {0, -1L, Long.MAX_VALUE}));
        m.put("a.i64", MetadataValue.array(INT64, new long[] {Long.MIN_VALUE, 7}));
        m.put("a.f32", MetadataValue.float32Array(0f, -0f, Float.POSITIVE_INFINITY, 1.25f));
        m.put("a.f64", MetadataValue.array(FLOAT64, new double[] {-0.0, 1e300, Double.MIN_VALUE}));
        m.put("a.bool", MetadataValue.array(BOOL, new boolean[] {true, false, true}));
        m.put("a.string", MetadataValue.stringArray("a", "", "▁the", "<0x0A>", "🦙"));
        m.put("a.empty", MetadataValue.array(UINT32, new long[0]));
        m.put("a.empty.string", MetadataValue.stringArray());
        m.put("a.nested", MetadataValue.array(ARRAY, new MetadataValue[] {
                MetadataValue.stringArray("x", "y"),
                MetadataValue.array(FLOAT64, new double[] {2.5}),
                MetadataValue.array(ARRAY, new MetadataValue[] {MetadataValue.array(INT8, new long[] {-1})}),
                MetadataValue.array(BOOL, new boolean[0])}));
        m.put("a.nested.empty", MetadataValue.array(ARRAY, new MetadataValue[0]));
        return m;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void everyMetadataTypeAndSeveralTensorsReadBackEqual(int version) throws IOException {
        GgufWriter writer = new GgufWriter().version(version);
        everyType().forEach(writer::put);
        byte[] f32 = GgufTestFiles.randomF32(6 * 5, 1);
        byte[] q8 = GgufTestFiles.randomBytes(GgmlType.Q8_0, 64 * 3, 2);
        byte[] q6k = GgufTestFiles.randomBytes(GgmlType.Q6_K, 256 * 2, 3);
        byte[] bf16 = GgufTestFiles.randomBytes(GgmlType.BF16, 3 * 2 * 2 * 2, 4);
        byte[] i32 = GgufTestFiles.randomBytes(GgmlType.I32, 7, 5);
        writer.addTensor("f32.matrix", GgmlType.F32, new long[] {6, 5}, f32)
                .addTensor("q8_0", GgmlType.Q8_0, new long[] {64, 3}, MemorySegment.ofArray(q8))
                .addTensor("q6_k", GgmlType.Q6_K, new long[] {256, 1, 2}, q6k)
                .addTensor("bf16.4d", GgmlType.BF16, new long[] {3, 2, 2, 2}, bf16)
                .addTensor("empty", GgmlType.F16, new long[] {0, 4}, new byte[0])
                .addTensor("i32.vector", GgmlType.I32, new long[] {7}, i32);
        Path path = GgufTestFiles.write(dir.resolve("every.gguf"), writer);

        try (GgufFile file = GgufFile.open(path)) {
            assertThat(file.version()).isEqualTo(version);
            assertThat(file.alignment()).isEqualTo(32);
            assertThat(file.dataOffset() % 32).isZero();
            assertThat(file.fileSize() % 32).isZero();
            assertThat(List.copyOf(file.metadata().asMap().keySet())).containsExactlyElementsOf(everyType().keySet());
            assertThat(file.metadata().asMap()).isEqualTo(everyType());
            everyType().forEach((k, v) -> {
                MetadataValue read = file.metadata().get(k).orElseThrow();
                assertThat(read.type()).as(k).isEqualTo(v.type());
                assertThat(read.elementType()).as(k).isEqualTo(v.elementType());
            });
            assertThat(file.metadata().requireString("string.unicode")).isEqualTo("héllo ▁wörld 日本語 🦙 \0 nul");

            assertThat(file.tensors().keySet())
                    .containsExactly("f32.matrix", "q8_0", "q6_k", "bf16.4d", "empty", "i32.vector");
            Map<String, byte[]> bytes = Map.of("f32.matrix", f32, "q8_0", q8, "q6_k", q6k, "bf16.4d", bf16,
                    "empty", new byte[0], "i32.vector", i32);
            for (TensorInfo t : file.tensors().values()) {
                assertThat(t.offset() % 32).as(t.name()).isZero();
                assertThat(file.data(t).toArray(ValueLayout.JAVA_BYTE)).as(t.name()).isEqualTo(bytes.get(t.name()));
            }
            TensorInfo q6 = file.requireTensor("q6_k");
            assertThat(q6.type()).isEqualTo(GgmlType.Q6_K);
            assertThat(q6.shape()).containsExactly(256, 1, 2);
        }
    }

    @Test
    void rewritingAFileGivesTheSameBytes() throws IOException {
        Path first = GgufTestFiles.write(dir.resolve("first.gguf"), GgufTestFiles.small());
        try (GgufFile file = GgufFile.open(first)) {
            GgufWriter.copyOf(file).write(dir.resolve("second.gguf"));
        }
        assertThat(Files.readAllBytes(dir.resolve("second.gguf"))).isEqualTo(Files.readAllBytes(first));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 64, 4096})
    void honoursGeneralAlignment(int alignment) throws IOException {
        Path path = GgufTestFiles.write(dir.resolve("aligned.gguf"), GgufTestFiles.small().alignment(alignment));
        try (GgufFile file = GgufFile.open(path)) {
            assertThat(file.alignment()).isEqualTo(alignment);
            assertThat(file.metadata().get("general.alignment")).contains(MetadataValue.uint32(alignment));
            assertThat(file.dataOffset() % alignment).isZero();
            assertThat(file.fileSize() % alignment).isZero();
            long expected = 0;
            for (TensorInfo t : file.tensors().values()) {
                assertThat(t.offset()).as(t.name()).isEqualTo(expected);
                expected += Math.ceilDiv(t.byteSize(), alignment) * alignment;
            }
            assertThat(file.fileSize()).isEqualTo(file.dataOffset() + expected);
        }
    }

    @Test
    void paddingIsZeros() throws IOException {
        Path path = GgufTestFiles.write(dir.resolve("p.gguf"), new GgufWriter().alignment(64)
                .addTensor("a", GgmlType.F32, new long[] {3}, new byte[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3})
                .addTensor("b", GgmlType.I8, new long[] {1}, new byte[] {9}));
        byte[] all = Files.readAllBytes(path);
        try (GgufFile file = GgufFile.open(path)) {
            long d = file.dataOffset();
            assertThat(all).hasSize((int) d + 128);
            for (int i = (int) d + 12; i < d + 64; i++) assertThat(all[i]).isZero();
            assertThat(all[(int) d + 64]).isEqualTo((byte) 9);
            for (int i = (int) d + 65; i < all.length; i++) assertThat(all[i]).isZero();
        }
    }

    @Test
    void aFileWithNothingInItIsValid() throws IOException {
        Path path = GgufTestFiles.write(dir.resolve("empty.gguf"), new GgufWriter());
        assertThat(Files.size(path)).isEqualTo(32); // 24 bytes of header, padded
        try (GgufFile file = GgufFile.open(path)) {
            assertThat(file.metadata().asMap()).isEmpty();
            assertThat(file.tensors()).isEmpty();
        }
    }

    @Test
    void tensorSourceFillsTheFileInPlace() throws IOException {
        long n = 3 * 1024 * 1024 + 5; // an odd size, a few MB
        Path path = GgufTestFiles.write(dir.resolve("big.gguf"), new GgufWriter()
                .addTensor("first", GgmlType.I8, new long[] {5}, new byte[] {1, 2, 3, 4, 5})
                .addTensor("big", GgmlType.I8, new long[] {n}, GgufTestFiles.randomSource(42))
                .addTensor("after", GgmlType.I8, new long[] {3}, target -> target.fill((byte) 7)));
        try (GgufFile file = GgufFile.open(path)) {
            MemorySegment big = file.data(file.requireTensor("big"));
            MemorySegment expected = MemorySegment.ofArray(new byte[(int) n]);
            GgufTestFiles.randomSource(42).fill(expected);
            assertThat(big.mismatch(expected)).isEqualTo(-1);
            assertThat(file.data(file.requireTensor("after")).toArray(ValueLayout.JAVA_BYTE)).containsExactly(7, 7, 7);
        }
    }

    @Test
    void tensorsBeyondTwoGigabytes() throws IOException {
        long n = 3L << 30; // a sparse file: the source only touches both ends of the 3 GiB tensor
        Path path = GgufTestFiles.write(dir.resolve("huge.gguf"), new GgufWriter()
                .addTensor("huge", GgmlType.I8, new long[] {n}, target -> {
                    target.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                    target.set(ValueLayout.JAVA_BYTE, n - 1, (byte) 2);
                })
                .addTensor("tail", GgmlType.I8, new long[] {2}, new byte[] {3, 4}));
        try (GgufFile file = GgufFile.open(path)) {
            MemorySegment huge = file.data(file.requireTensor("huge"));
            assertThat(huge.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 1);
            assertThat(huge.get(ValueLayout.JAVA_BYTE, n - 1)).isEqualTo((byte) 2);
            assertThat(file.requireTensor("tail").offset()).isEqualTo(n);
            assertThat(file.data(file.requireTensor("tail")).toArray(ValueLayout.JAVA_BYTE)).containsExactly(3, 4);
            assertThat(file.fileSize()).isEqualTo(file.dataOffset() + n + 32);
        } finally {
            Files.delete(path);
        }
    }

    @Test
    void aFailingWriteLeavesTheOldFileAndNoLitter() throws IOException {
        Path path = dir.resolve("model.gguf");
        Files.writeString(path, "the old file");
        GgufWriter failing = GgufTestFiles.small().addTensor("bad", GgmlType.F32, new long[] {1024}, target -> {
            throw new IOException("disk on fire");
        });
        assertThatThrownBy(() -> failing.write(path)).isInstanceOf(IOException.class).hasMessage("disk on fire");
        assertThat(Files.readString(path)).isEqualTo("the old file");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(path);
        }
    }

    @Test
    void writingReplacesAnExistingFile() throws IOException {
        Path path = dir.resolve("model.gguf");
        Files.writeString(path, "old");
        GgufTestFiles.write(path, GgufTestFiles.small());
        try (GgufFile file = GgufFile.open(path)) {
            assertThat(file.metadata().requireString("general.architecture")).isEqualTo("llama");
        }
    }

    @Test
    void putReplacesInPlace() throws IOException {
        Path path = GgufTestFiles.write(dir.resolve("r.gguf"), new GgufWriter()
                .putString("a", "1").putString("b", "2").putUint32("a", 3));
        try (GgufFile file = GgufFile.open(path)) {
            assertThat(file.metadata().asMap()).containsExactly(
                    Map.entry("a", MetadataValue.uint32(3)), Map.entry("b", MetadataValue.string("2")));
        }
    }

    @Test
    void rejectsWhatWouldMakeABadFile() {
        GgufWriter w = new GgufWriter().addTensor("t", GgmlType.F32, new long[] {1}, new byte[4]);
        assertThatThrownBy(() -> w.addTensor("t", GgmlType.F32, new long[] {1}, new byte[4]))
                .hasMessageContaining("duplicate tensor t");
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {2}, new byte[4]))
                .hasMessageContaining("needs 8 bytes, got 4");
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.Q4_0, new long[] {16}, new byte[9]))
                .hasMessageContaining("not a multiple of the Q4_0 block size 32");
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, new byte[4]))
                .hasMessageContaining("5 dimensions");
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F32, new long[] {-1}, new byte[0]))
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> w.addTensor("x", GgmlType.F64, new long[] {1L << 40, 1L << 30}, t -> {}))
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> w.put("k", MetadataValue.uint8(256))).hasMessageContaining("not a valid UINT8");
        assertThatThrownBy(() -> w.put("k", MetadataValue.uint32(-1))).hasMessageContaining("not a valid UINT32");
        assertThatThrownBy(() -> w.put("k", MetadataValue.of(INT32, 5))).hasMessageContaining("(Integer)");
        assertThatThrownBy(() -> w.put("k", MetadataValue.array(INT8, new long[] {200})))
                .hasMessageContaining("not a valid INT8");
        assertThatThrownBy(() -> w.put("k", MetadataValue.array(FLOAT32, new double[1])))
                .hasMessageContaining("array of FLOAT32 cannot hold a double[]");
        assertThatThrownBy(() -> w.put("k", MetadataValue.array(ARRAY, new MetadataValue[] {MetadataValue.bool(true)})))
                .hasMessageContaining("an array of arrays holds true");
        assertThatThrownBy(() -> w.put("general.alignment", MetadataValue.uint32(48))).hasMessageContaining("power of two");
        assertThatThrownBy(() -> w.put("general.alignment", MetadataValue.uint64(64))).hasMessageContaining("UINT32");
        assertThatThrownBy(() -> w.version(1)).hasMessageContaining("not 1");
        assertThatThrownBy(() -> w.put("", MetadataValue.bool(true))).hasMessageContaining("empty");
    }
}
