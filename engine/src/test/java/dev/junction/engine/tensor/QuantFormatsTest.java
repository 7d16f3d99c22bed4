package dev.junction.engine.tensor;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantFormatsTest {
    static final Set<GgmlType> SUPPORTED = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
            GgmlType.Q8_K, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.MXFP4);

    @Test
    void everySupportedTypeHasItsSingleton() {
        for (GgmlType t : SUPPORTED) {
            QuantFormat f = QuantFormat.of(t);
            assertThat(f.type()).isEqualTo(t);
            assertThat(QuantFormat.of(t)).isSameAs(f);
            assertThat(t.supported()).isTrue();
        }
    }

    @Test
    void otherTypesAreRefused() {
        for (GgmlType t : GgmlType.values()) {
            if (SUPPORTED.contains(t)) continue;
            assertThat(t.supported()).isFalse();
            assertThatThrownBy(() -> QuantFormat.of(t)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("no kernels for tensor type " + t);
        }
    }

    @Test
    void fastPathSpeciesFitEveryBlockLayout() {
        assertThat(Simd.FL).isBetween(4, 16);
        assertThat(16 % Simd.BL).isZero();
        assertThat(Simd.PARTS * Simd.FL).isEqualTo(Simd.BL);
    }
}
