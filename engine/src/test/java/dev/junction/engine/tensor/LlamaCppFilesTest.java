package dev.junction.engine.tensor;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads tensors that llama.cpp itself quantized (testdata/models/arch: one random model stored in every type) and
 * compares them with the F32 file: agreement proves the block layouts are llama.cpp's. For the types whose
 * llama.cpp quantizer is the plain reference one (F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1), re-quantizing the F32
 * values must also give llama.cpp's bytes exactly.
 */
class LlamaCppFilesTest {
    private static final List<String> TENSORS = List.of("blk.0.attn_q.weight", "blk.1.attn_k.weight",
            "blk.0.ffn_down.weight", "token_embd.weight");
    private static GgufFile f32;

    @BeforeAll
    static void openF32() {
        f32 = GgufFile.open(TestModels.file("arch/A-llama-F32.gguf"));
    }

    @AfterAll
    static void close() {
        f32.close();
    }

    private static float[] values(GgufFile file, TensorInfo info) {
        int n = Math.toIntExact(info.elementCount());
        float[] out = new float[n];
        QuantFormat.of(info.type()).dequantize(file.data(info), 0, out, 0, n);
        return out;
    }

    @ParameterizedTest
    @CsvSource({"F16, 0.001", "BF16, 0.005", "Q8_0, 0.01", "Q6_K, 0.03", "Q5_0, 0.05", "Q5_1, 0.05",
            "Q5_K, 0.05", "Q4_0, 0.1", "Q4_1, 0.1", "Q4_K, 0.1"})
    void dequantizedTensorsMatchTheF32File(GgmlType type, double tolerance) {
        try (GgufFile file = GgufFile.open(TestModels.file("arch/A-llama-" + type + ".gguf"))) {
            for (String name : TENSORS) {
                TensorInfo ref = f32.requireTensor(name);
                TensorInfo info = file.requireTensor(name);
                assertThat(info.type()).isEqualTo(type);
                assertThat(ref.type()).isEqualTo(GgmlType.F32);
                assertThat(info.shape()).isEqualTo(ref.shape());
                float[] expected = values(f32, ref);
                float[] got = values(file, info);
                double err2 = 0, sig2 = 0;
                for (int i = 0; i < expected.length; i++) {
                    double e = got[i] - expected[i];
                    err2 += e * e;
                    sig2 += (double) expected[i] * expected[i];
                }
                assertThat(Math.sqrt(err2 / sig2)).as("%s %s relative RMS error", type, name)
                        .isLessThan(tolerance);
                // a quantizer never makes things better than exact, so nonzero error shows the data was quantized
                if (type != GgmlType.F16 && type != GgmlType.BF16) assertThat(err2).isPositive();
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void fastDotAgreesWithReferenceOnRealRows(GgmlType type) {
        try (GgufFile file = GgufFile.open(TestModels.file("arch/A-llama-" + type + ".gguf"))) {
            TensorInfo info = file.requireTensor("blk.0.ffn_down.weight");
            MemorySegment data = file.data(info);
            QuantFormat f = QuantFormat.of(type);
            int cols = Math.toIntExact(info.shape()[0]);
            long rowBytes = type.bytesFor(cols);
            float[] x = values(f32, f32.requireTensor("blk.0.ffn_gate.weight")); // any realistic numbers
            for (int row = 0; row < info.shape()[1]; row += 17) {
                float ref = f.dotReference(data, row * rowBytes, x, row, cols);
                float fast = f.dot(data, row * rowBytes, x, row, cols);
                float[] w = new float[cols];
                f.dequantize(data, row * rowBytes, w, 0, cols);
                double magnitude = 0;
                for (int i = 0; i < cols; i++) magnitude += Math.abs((double) w[i] * x[row + i]);
                assertThat((double) fast).as("%s row %d", type, row).isCloseTo(ref,
                        org.assertj.core.data.Offset.offset(1e-5 * magnitude));
            }
        }
    }

    /** The integer dot products on llama.cpp's own blocks (its K-quants use the optimizing quantizer). */
    @ParameterizedTest
    @CsvSource({"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void quantizedDotAgreesOnRealRows(GgmlType type) {
        try (GgufFile file = GgufFile.open(TestModels.file("arch/A-llama-" + type + ".gguf"))) {
            TensorInfo info = file.requireTensor("blk.0.ffn_down.weight");
            MemorySegment data = file.data(info);
            QuantFormat f = QuantFormat.of(type);
            int cols = Math.toIntExact(info.shape()[0]);
            long rowBytes = type.bytesFor(cols);
            float[] x = values(f32, f32.requireTensor("blk.0.ffn_gate.weight"));
            QuantizedActivations qx = QuantizedActivations.forFormat(f, cols);
            float[] w = new float[cols];
            for (int row = 0; row < info.shape()[1]; row += 17) {
                qx.quantize(x, row, cols);
                f.dequantize(data, row * rowBytes, w, 0, cols);
                double magnitude = 0, roundingBound = 0;
                for (int i = 0; i < cols; i++) {
                    magnitude += Math.abs((double) w[i] * x[row + i]);
                    roundingBound += Math.abs((double) w[i] * qx.scale(i / qx.blockSize())) / 2;
                }
                float fast = f.dotQuantized(data, row * rowBytes, qx, cols);
                assertThat((double) fast).as("%s row %d vs the scalar integer dot", type, row).isCloseTo(
                        f.dotQuantizedReference(data, row * rowBytes, qx, cols), org.assertj.core.data.Offset.offset(1e-5 * magnitude));
                assertThat((double) fast).as("%s row %d vs the float dot", type, row).isCloseTo(
                        f.dotReference(data, row * rowBytes, x, row, cols),
                        org.assertj.core.data.Offset.offset(roundingBound + 1e-5 * magnitude));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"})
    void referenceQuantizersReproduceLlamaCppBytes(GgmlType type) {
        try (GgufFile file = GgufFile.open(TestModels.file("arch/A-llama-" + type + ".gguf"))) {
            for (String name : TENSORS) {
                TensorInfo info = file.requireTensor(name);
                float[] src = values(f32, f32.requireTensor(name));
                MemorySegment mine = MemorySegment.ofArray(new byte[Math.toIntExact(info.byteSize())]);
                QuantFormat.of(type).quantize(src, 0, src.length, mine, 0);
                long mismatch = mine.mismatch(file.data(info));
                assertThat(mismatch).as("%s %s: first differing byte", type, name).isEqualTo(-1L);
            }
        }
    }
}
