package dev.junction.engine.model;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.TensorInfo;
import dev.junction.engine.tensor.QuantFormat;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RopeTest {
    @Test
    void llama3ScalingFromMetadataEqualsTheFactorsLlamaCppsConverterWrites() {
        ModelConfig config = new ModelConfig(Architecture.LLAMA, 256, 2, 4, 2, 64, 768, 512, 512, 1e-5f, 500000f, 64, 1f,
                new ModelConfig.RopeScaling(32f, 1f, 4f, 8192));
        float[] computed = Rope.llama3Factors(config);
        try (GgufFile file = GgufFile.open(TestModels.file("arch/A-llama-F32.gguf"))) {
            TensorInfo t = file.requireTensor("rope_freqs.weight");
            float[] written = new float[(int) t.elementCount()];
            QuantFormat.of(t.type()).dequantize(file.data(t), 0, written, 0, written.length);
            assertThat(computed).hasSameSizeAs(written);
            for (int i = 0; i < written.length; i++) {
                assertThat(computed[i]).as("pair %d", i).isCloseTo(written[i], within(written[i] * 1e-5f));
            }
        }
        assertThat(computed[0]).isEqualTo(1f);
        assertThat(computed[31]).isEqualTo(32f);
    }
}
