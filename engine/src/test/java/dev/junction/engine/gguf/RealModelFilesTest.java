package dev.junction.engine.gguf;

import dev.junction.engine.tensor.GgmlType;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The reader and writer against files made by llama.cpp and gguf-py. */
class RealModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void stories260KHasTheKnownShape() {
        try (GgufFile file = GgufFile.open(TestModels.stories260K())) {
            GgufMetadata m = file.metadata();
            assertThat(file.version()).isEqualTo(3);
            assertThat(m.requireString("general.architecture")).isEqualTo("llama");
            assertThat(m.requireInt("llama.embedding_length")).isEqualTo(64);
            assertThat(m.requireInt("llama.block_count")).isEqualTo(5);
            assertThat(m.requireInt("llama.attention.head_count")).isEqualTo(8);
            assertThat(m.requireInt("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(m.requireString("tokenizer.ggml.model")).isEqualTo("llama");
            String[] tokens = m.requireStringArray("tokenizer.ggml.tokens");
            assertThat(tokens).hasSize(512);
            assertThat(tokens[0]).isEqualTo("<unk>");
            assertThat(tokens[1]).isEqualTo("<s>");
            assertThat(tokens[3]).isEqualTo("<0x00>");
            assertThat(file.tensors()).hasSize(48);
            assertThat(file.tensors().values()).allSatisfy(t -> assertThat(t.type()).isEqualTo(GgmlType.F32));
            assertThat(file.tensors().values().stream().mapToLong(TensorInfo::byteSize).sum()).isEqualTo(1171200);
            assertThat(file.requireTensor("token_embd.weight").shape()).containsExactly(64, 512);
        }
    }

    static Stream<Path> llamaCppModels() throws IOException {
        Stream<Path> arch;
        try (Stream<Path> files = Files.list(TestModels.dir().resolve("arch"))) {
            arch = files.filter(p -> p.toString().endsWith(".gguf")).sorted().toList().stream();
        }
        return Stream.concat(Stream.of(TestModels.stories260K(), TestModels.file("llama-2-tiny-random.gguf")), arch);
    }

    /** llama.cpp pads the data section and every tensor to the alignment, as the writer does: same bytes back. */
    @ParameterizedTest
    @MethodSource("llamaCppModels")
    void readingAndWritingBackGivesTheSameBytes(Path model) throws IOException {
        Path copy = dir.resolve("copy.gguf");
        try (GgufFile file = GgufFile.open(model)) {
            GgufWriter.copyOf(file).write(copy);
        }
        assertThat(Files.size(copy)).isEqualTo(Files.size(model));
        assertThat(Files.mismatch(copy, model)).as("first differing byte").isEqualTo(-1);
    }

    static List<Path> vocabFiles() throws IOException {
        try (Stream<Path> files = Files.list(TestModels.dir().resolve("vocab"))) {
            return files.filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
        }
    }

    /**
     * llama.cpp's vocab-only files end right after the header, unpadded (written with only the metadata), where the
     * writer pads to the alignment as llama.cpp's full writer does; everything before that padding is identical.
     */
    @ParameterizedTest
    @MethodSource("vocabFiles")
    void vocabFilesReadAndWriteBackTheSame(Path vocab) throws IOException {
        Path copy = dir.resolve("copy.gguf");
        try (GgufFile file = GgufFile.open(vocab)) {
            assertThat(file.metadata().requireStringArray("tokenizer.ggml.tokens")).isNotEmpty();
            GgufWriter.copyOf(file).write(copy);
            try (GgufFile back = GgufFile.open(copy)) {
                assertThat(back.metadata().asMap()).isEqualTo(file.metadata().asMap());
                assertThat(back.tensors()).isEqualTo(file.tensors());
            }
        }
        long size = Files.size(vocab);
        assertThat(Files.size(copy)).isEqualTo(Math.ceilDiv(size, 32) * 32);
        assertThat(Files.mismatch(copy, vocab)).isIn(-1L, size);
    }
}
