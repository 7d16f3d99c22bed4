package dev.junction.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Fp16Test {
    @Test
    void vectorWideningAgreesWithTheJdkForEveryHalf() {
        short[] halves = new short[Simd.FL];
        float[] out = new float[Simd.FL];
        for (int base = 0; base < 65536; base += Simd.FL) {
            for (int i = 0; i < Simd.FL; i++) halves[i] = (short) (base + i);
            FloatVector v = Fp16.toFloat(ShortVector.fromArray(Simd.S, halves, 0));
            v.intoArray(out, 0);
            for (int i = 0; i < Simd.FL; i++) {
                float expected = Float.float16ToFloat(halves[i]);
                if (Float.isNaN(expected)) {
                    assertThat(out[i]).as("half 0x%04x", base + i).isNaN();
                } else {
                    assertThat(Float.floatToRawIntBits(out[i])).as("half 0x%04x", base + i)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
    }

    @Test
    void finiteWideningAgreesWithTheJdkForEveryFiniteHalf() {
        short[] halves = new short[Simd.FL];
        float[] out = new float[Simd.FL];
        for (int base = 0; base < 65536; base += Simd.FL) {
            for (int i = 0; i < Simd.FL; i++) halves[i] = (short) (base + i);
            Fp16.toFloatFinite(ShortVector.fromArray(Simd.S, halves, 0)).intoArray(out, 0);
            for (int i = 0; i < Simd.FL; i++) {
                float expected = Float.float16ToFloat(halves[i]);
                if (Float.isFinite(expected)) {
                    assertThat(Float.floatToRawIntBits(out[i])).as("half 0x%04x", base + i)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
    }

    @Test
    void knownHalves() {
        assertThat(Float.float16ToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(Float.float16ToFloat((short) 0x3800)).isEqualTo(0.5f);
        assertThat(Float.float16ToFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(Fp16.round(0.1f)).isEqualTo(Float.float16ToFloat((short) 0x2E66));
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertThat(Bf16Format.fromFloat(1.0f)).isEqualTo((short) 0x3F80);
        // 1 + 2^-8 is halfway between bf16 1.0 and 1.0078125: ties to even (1.0)
        assertThat(Bf16Format.fromFloat(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80);
        // 1.0078125 + 2^-8 is halfway between odd 0x3F81 and even 0x3F82: up
        assertThat(Bf16Format.fromFloat(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82);
        assertThat(Bf16Format.fromFloat(Float.intBitsToFloat(0x3F808001))).isEqualTo((short) 0x3F81);
        assertThat(Bf16Format.toFloat(Bf16Format.fromFloat(Float.NaN))).isNaN();
    }
}
