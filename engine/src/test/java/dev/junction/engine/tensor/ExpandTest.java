package dev.junction.engine.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The vector expansion of every type gives exactly the scalar dequantizer's values. */
class ExpandTest {
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
            "Q4_K", "Q5_K", "Q6_K", "Q8_K"})
    void expandEqualsDequantize(GgmlType type) {
        QuantFormat format = QuantFormat.of(type);
        Random random = new Random(type.ordinal());
        for (int blocks : new int[]{1, 3, 8}) {
            int n = blocks * Math.max(type.blockSize, 32) + (type.blockSize == 1 ? 5 : 0);
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (float) random.nextGaussian();
            long offset = type.blockBytes * 3L; // not at the start of the segment
            MemorySegment data = Arena.ofAuto().allocate(offset + type.bytesFor(n) + 16);
            format.quantize(values, 0, n, data, offset);
            float[] scalar = new float[n + 2], vector = new float[n + 2];
            format.dequantize(data, offset, scalar, 1, n);
            format.expand(data, offset, vector, 1, n);
            assertThat(vector).as("%s, %d elements", type, n).containsExactly(scalar);
        }
    }
}
