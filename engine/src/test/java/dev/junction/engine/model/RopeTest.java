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

    /**
     * gpt-oss's YaRN (factor 32, original context 4096, betas 32 and 1, base 150000, 64 dims): pairs up to the rounded
     * low end of the correction range (8) keep their angle, pairs from its rounded high end (18) turn 32 times
     * slower, and cos and sin carry 1 + 0.1 ln 32.
     */
    @Test
    void yarnKeepsHighFrequenciesSlowsLowOnesAndScalesByMscale() {
        ModelConfig config = new ModelConfig(Architecture.GPT_OSS, 256, 2, 4, 2, 64, 256, 512, 512, 1e-5f, 150000f, 64,
                1f, null, new ModelConfig.Experts(4, 2, 256), 8, 150000f, new ModelConfig.Yarn(32f, 4096, 32f, 1f));
        Rope rope = new Rope(config, null);
        float[] cos = new float[32], sin = new float[32];
        int pos = 300;
        rope.prepare(pos, cos, sin, 0);
        double mscale = 1 + 0.1 * Math.log(32);
        for (int i = 0; i < 32; i++) {
            double theta = pos * Math.pow(150000, -2.0 * i / 64);
            if (i <= 8) {
                assertThat((double) cos[i]).as("pair %d", i).isCloseTo(Math.cos(theta) * mscale, within(1e-3));
                assertThat((double) sin[i]).as("pair %d", i).isCloseTo(Math.sin(theta) * mscale, within(1e-3));
            } else if (i >= 18) {
                assertThat((double) cos[i]).as("pair %d", i).isCloseTo(Math.cos(theta / 32) * mscale, within(1e-5));
                assertThat((double) sin[i]).as("pair %d", i).isCloseTo(Math.sin(theta / 32) * mscale, within(1e-5));
            }
        }
    }
}
