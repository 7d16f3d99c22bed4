package dev.junction.engine.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Random-data properties every format must have: fast dot = reference dot, dequantize ∘ quantize ≈ identity. */
class FormatPropertiesTest {
    static Stream<GgmlType> types() {
        return QuantFormatsTest.SUPPORTED.stream();
    }

    /** Element counts to try: odd numbers of blocks, and for plain types lengths that are no multiple of a vector. */
    static int[] sizes(GgmlType t) {
        if (t.blockSize == 1) return new int[] {1, 3, 7, 17, 31, 32 * 5, 257, 1000};
        if (t.blockSize == 32) return new int[] {32, 32 * 3, 32 * 5, 32 * 7, 32 * 13, 32 * 64};
        return new int[] {256, 256 * 3, 256 * 7};
    }

    /** Largest RMS error of dequantize(quantize(x)) relative to RMS(x), for unit gaussian x. */
    static double rmsTolerance(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 5e-4;
            case BF16 -> 3e-3;
            case Q8_0, Q8_K -> 0.01;
            case Q6_K -> 0.025;
            case Q5_0, Q5_1, Q5_K -> 0.05;
            case Q4_0, Q4_1, Q4_K -> 0.1;
            case IQ4_NL, IQ4_XS -> 0.1; // 16 levels, denser near zero: about Q4_K's error
            case MXFP4 -> 0.2; // 15 levels, power-of-two block scale: the largest code can sit at 8 of 12
            case Q3_K -> 0.2; // 8 levels per 16 elements
            case Q2_K -> 0.4; // 4 levels per 16 elements
            default -> throw new AssertionError(t);
        };
    }

    static float[] gaussian(Random r, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian() * scale;
        return x;
    }

    @ParameterizedTest
    @MethodSource("types")
    void dotAgreesWithReference(GgmlType t) {
        QuantFormat f = QuantFormat.of(t);
        Random r = new Random(42 + t.ordinal());
        for (int n : sizes(t)) {
            for (int trial = 0; trial < 3; trial++) {
                long wOff = 3 + trial * 5; // unaligned on purpose
                int xOff = 1 + trial;
                MemorySegment w = MemorySegment.ofArray(new byte[(int) (wOff + t.bytesFor(n))]);
                f.quantize(gaussian(r, n, 0.02f), 0, n, w, wOff);
                float[] x = new float[xOff + n];
                System.arraycopy(gaussian(r, n, 1f), 0, x, xOff, n);

                float[] wd = new float[n];
                f.dequantize(w, wOff, wd, 0, n);
                double magnitude = 0, exact = 0;
                for (int i = 0; i < n; i++) {
                    magnitude += Math.abs((double) wd[i] * x[xOff + i]);
                    exact += (double) wd[i] * x[xOff + i];
                }
                float ref = f.dotReference(w, wOff, x, xOff, n);
                float fast = f.dot(w, wOff, x, xOff, n);
                assertThat((double) ref).as("%s reference n=%d", t, n).isCloseTo(exact, withinAbs(1e-6 * magnitude));
                assertThat((double) fast).as("%s fast n=%d", t, n).isCloseTo(ref, withinAbs(1e-5 * magnitude));
            }
        }
    }

    private static org.assertj.core.data.Offset<Double> withinAbs(double d) {
        return org.assertj.core.data.Offset.offset(Math.max(d, 1e-30));
    }

    @ParameterizedTest
    @MethodSource("types")
    void dequantizeInvertsQuantize(GgmlType t) {
        QuantFormat f = QuantFormat.of(t);
        Random r = new Random(7 + t.ordinal());
        int n = t.blockSize == 1 ? 4099 : t.blockSize * 64;
        float[] x = gaussian(r, n, 1f);
        // a few outliers and an all-zero stretch, as real weights have
        x[5] = 9f;
        x[n / 2] = -7f;
        for (int i = n - 64; i < n - 32; i++) x[i] = 0;
        MemorySegment q = MemorySegment.ofArray(new byte[(int) t.bytesFor(n) + 1]);
        f.quantize(x, 0, n, q, 1);
        float[] y = new float[n + 2];
        f.dequantize(q, 1, y, 2, n);
        double err2 = 0, sig2 = 0;
        for (int i = 0; i < n; i++) {
            double e = y[i + 2] - x[i];
            err2 += e * e;
            sig2 += (double) x[i] * x[i];
        }
        double rel = Math.sqrt(err2 / sig2);
        assertThat(rel).as("%s relative RMS error", t).isLessThanOrEqualTo(rmsTolerance(t));
        for (int i = n - 64; i < n - 32; i++) {
            assertThat(Math.abs(y[i + 2])).as("%s zero stays small at %d", t, i).isLessThan(0.3f);
        }
    }
}
