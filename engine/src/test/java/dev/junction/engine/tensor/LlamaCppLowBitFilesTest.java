package dev.junction.engine.tensor;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.testkit.TestModels;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The low-bit and non-linear types on tensors llama.cpp itself quantized (testdata/models/arch2): the A-llama files
 * are arch/A-llama-F32 requantized to Q2_K, Q3_K, IQ4_NL and IQ4_XS, G-gpt-oss-MXFP4 has MXFP4 expert stacks of the
 * model G-gpt-oss-F16 also holds. Every quantized tensor, dequantized, must be the original up to the type's
 * precision (a wrong bit order or scale layout gives errors near 100 %), and the fast kernels must agree with the
 * scalar references on these rows.
 */
class LlamaCppLowBitFilesTest {
    private static float[] values(GgufFile file, TensorInfo info) {
        int n = Math.toIntExact(info.elementCount());
        float[] out = new float[n];
        QuantFormat.of(info.type()).dequantize(file.data(info), 0, out, 0, n);
        return out;
    }

    /**
     * Relative RMS error of each tensor against the original. The bounds are a little above what llama.cpp's own
     * quantizers reach on these gaussian weights (measured, largest over the tensors: Q2_K 0.297, Q3_K 0.151,
     * IQ4_NL 0.076, IQ4_XS 0.077, MXFP4 against F16 0.114); the F16 original of the MXFP4 tensors is itself rounded, which changes nothing at this scale.
     */
    @ParameterizedTest
    @CsvSource({"arch2/A-llama-Q2_K, arch/A-llama-F32, Q2_K, 0.32", "arch2/A-llama-Q3_K, arch/A-llama-F32, Q3_K, 0.17",
            "arch2/A-llama-IQ4_NL, arch/A-llama-F32, IQ4_NL, 0.085", "arch2/A-llama-IQ4_XS, arch/A-llama-F32, IQ4_XS, 0.085",
            "arch2/G-gpt-oss-MXFP4, arch2/G-gpt-oss-F16, MXFP4, 0.13"})
    void everyQuantizedTensorMatchesTheOriginal(String name, String originalName, GgmlType type, double tolerance) {
        try (GgufFile file = GgufFile.open(TestModels.file(name + ".gguf"));
             GgufFile original = GgufFile.open(TestModels.file(originalName + ".gguf"))) {
            int checked = 0;
            for (TensorInfo info : file.tensors().values()) {
                if (info.type() != type) continue;
                TensorInfo ref = original.requireTensor(info.name());
                assertThat(info.shape()).isEqualTo(ref.shape());
                float[] expected = values(original, ref);
                float[] got = values(file, info);
                double err2 = 0, sig2 = 0;
                for (int i = 0; i < expected.length; i++) {
                    double e = got[i] - expected[i];
                    err2 += e * e;
                    sig2 += (double) expected[i] * expected[i];
                }
                double rel = Math.sqrt(err2 / sig2);
                assertThat(rel).as("%s %s relative RMS error", name, info.name()).isLessThan(tolerance).isPositive();
                checked++;
            }
            assertThat(checked).as("tensors of type %s in %s", type, name).isEqualTo(type == GgmlType.MXFP4 ? 6 : 15);
        }
    }

    /** The float and the integer kernels against their scalar references on every 7th row of every tensor of the type. */
    @ParameterizedTest
    @CsvSource({"arch2/A-llama-Q2_K, Q2_K", "arch2/A-llama-Q3_K, Q3_K", "arch2/A-llama-IQ4_NL, IQ4_NL",
            "arch2/A-llama-IQ4_XS, IQ4_XS", "arch2/G-gpt-oss-MXFP4, MXFP4"})
    void kernelsAgreeWithTheReferencesOnRealRows(String name, GgmlType type) {
        try (GgufFile file = GgufFile.open(TestModels.file(name + ".gguf"))) {
            QuantFormat f = QuantFormat.of(type);
            java.util.Random random = new java.util.Random(5);
            for (TensorInfo info : file.tensors().values()) {
                if (info.type() != type) continue;
                MemorySegment data = file.data(info);
                int cols = Math.toIntExact(info.shape()[0]);
                long rows = info.elementCount() / cols, rowBytes = type.bytesFor(cols);
                float[] x = new float[cols];
                for (int i = 0; i < cols; i++) x[i] = (float) random.nextGaussian();
                QuantizedActivations qx = QuantizedActivations.forFormat(f, cols);
                qx.quantize(x, 0, cols);
                float[] w = new float[cols];
                for (long row = 0; row < rows; row += 7) {
                    long at = row * rowBytes;
                    f.dequantize(data, at, w, 0, cols);
                    double magnitude = 0;
                    for (int i = 0; i < cols; i++) magnitude += Math.abs((double) w[i] * x[i]);
                    String what = name + " " + info.name() + " row " + row;
                    assertThat((double) f.dot(data, at, x, 0, cols)).as(what + " float")
                            .isCloseTo(f.dotReference(data, at, x, 0, cols), Offset.offset(1e-5 * magnitude + 1e-30));
                    float ref = f.dotQuantizedReference(data, at, qx, cols);
                    assertThat((double) f.dotQuantized(data, at, qx, cols)).as(what + " 8-bit")
                            .isCloseTo(ref, Offset.offset(1e-5 * magnitude + 1e-30));
                }
            }
        }
    }
}
