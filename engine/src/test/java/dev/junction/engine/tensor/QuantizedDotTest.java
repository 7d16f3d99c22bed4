package dev.junction.engine.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The integer dot products against 8-bit quantized activations, and the activation quantizer itself. */
class QuantizedDotTest {
    static final Set<GgmlType> QUANTIZING = EnumSet.of(GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0,
            GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K, GgmlType.Q2_K, GgmlType.Q3_K,
            GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.MXFP4);
    /** Formats whose fast integer product is the reference's own integer sum and scalar float steps: the same bits. */
    static final Set<GgmlType> BIT_EXACT = EnumSet.of(GgmlType.Q6_K, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.IQ4_XS);

    static Stream<GgmlType> types() {
        return QUANTIZING.stream();
    }

    static int[] blockCounts(GgmlType t) {
        return t.blockSize == 32 ? new int[] {1, 3, 7, 13, 128} : new int[] {1, 3, 7, 16};
    }

    static float[] gaussian(Random r, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian() * scale;
        return x;
    }

    @Test
    void onlyBlockFormatsQuantizeActivations() {
        for (GgmlType t : QuantFormatsTest.SUPPORTED) {
            QuantFormat f = QuantFormat.of(t);
            assertThat(f.quantizesActivations()).as(t.name()).isEqualTo(QUANTIZING.contains(t));
            if (f.quantizesActivations()) {
                assertThat(QuantizedActivations.forFormat(f, 1000).blockSize()).isEqualTo(t.blockSize == 32 ? 32 : 256);
            } else {
                assertThatThrownBy(() -> QuantizedActivations.forFormat(f, 1000)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> f.dotQuantized(MemorySegment.ofArray(new byte[4]), 0, QuantizedActivations.q8_0(32), 32))
                        .isInstanceOf(UnsupportedOperationException.class);
            }
        }
    }

    @Test
    void activationsMustMatchTheFormat() {
        MemorySegment w = MemorySegment.ofArray(new byte[(int) GgmlType.Q4_K.bytesFor(256)]);
        QuantizedActivations q8_0 = QuantizedActivations.q8_0(256);
        q8_0.quantize(new float[256], 0, 256);
        assertThatThrownBy(() -> Q4_KFormat.INSTANCE.dotQuantized(w, 0, q8_0, 256)).isInstanceOf(IllegalArgumentException.class);
        QuantizedActivations small = QuantizedActivations.q8_K(256);
        assertThatThrownBy(() -> small.quantize(new float[512], 0, 512)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> small.quantize(new float[300], 0, 100)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @MethodSource("types")
    void fastAgreesWithReferenceAndFloatDot(GgmlType t) {
        QuantFormat f = QuantFormat.of(t);
        Random r = new Random(7 + t.ordinal());
        int maxN = t.blockSize * blockCounts(t)[blockCounts(t).length - 1];
        QuantizedActivations qa = QuantizedActivations.forFormat(f, maxN);
        for (int nb : blockCounts(t)) {
            int n = nb * t.blockSize;
            for (int trial = 0; trial < 3; trial++) {
                long wOff = 3 + trial * 5; // unaligned on purpose
                MemorySegment w = MemorySegment.ofArray(new byte[(int) (wOff + t.bytesFor(n))]);
                f.quantize(gaussian(r, n, 0.02f), 0, n, w, wOff);
                int xOff = trial;
                float[] x = new float[xOff + n];
                System.arraycopy(gaussian(r, n, 1f), 0, x, xOff, n);
                if (trial == 2) x[xOff + r.nextInt(n)] = 40; // an outlier
                qa.quantize(x, xOff, n);

                float[] wd = new float[n];
                f.dequantize(w, wOff, wd, 0, n);
                float[] xq = new float[n];
                double absDot = 0, absDotQ = 0, roundingBound = 0;
                for (int i = 0; i < n; i++) {
                    xq[i] = qa.quant(i) * qa.scale(i / qa.blockSize());
                    absDot += Math.abs(wd[i] * x[xOff + i]);
                    absDotQ += Math.abs(wd[i] * xq[i]);
                    roundingBound += Math.abs(wd[i] * qa.scale(i / qa.blockSize())) * 0.5; // at most half a step off
                }
                float fast = f.dotQuantized(w, wOff, qa, n);
                float ref = f.dotQuantizedReference(w, wOff, qa, n);
                String what = t + " n=" + n + " trial " + trial;
                assertThat(fast).as(what + " fast vs reference").isCloseTo(ref, within((float) (1e-5 * absDotQ + 1e-30)));
                if (BIT_EXACT.contains(t)) { // exact int per super-block, then the reference's own scalar float steps
                    assertThat(Float.floatToIntBits(fast)).as(what + " fast is the reference, bit for bit")
                            .isEqualTo(Float.floatToIntBits(ref));
                }
                assertThat(ref).as(what + " reference vs float on dequantized activations")
                        .isCloseTo(f.dotReference(w, wOff, xq, 0, n), within((float) (1e-5 * absDotQ + 1e-30)));
                // 8-bit activations: within 1% of Σ|w·x| for gaussian data; a lone outlier coarsens its whole block,
                // so the bound is then the sum of the worst rounding of each element
                double tolerance = trial == 2 ? 1.01 * roundingBound : 1e-2 * absDot;
                assertThat(fast).as(what + " vs float dot on the original activations")
                        .isCloseTo(f.dotReference(w, wOff, x, xOff, n), within((float) tolerance));
            }
        }
    }

    @Test
    void vectorQuantizeIsExactlyTheReference() {
        Random r = new Random(3);
        for (int blockSize : new int[] {32, 256}) {
            int n = 256 * 5;
            QuantizedActivations fast = blockSize == 32 ? QuantizedActivations.q8_0(n) : QuantizedActivations.q8_K(n);
            QuantizedActivations ref = blockSize == 32 ? QuantizedActivations.q8_0(n) : QuantizedActivations.q8_K(n);
            for (int trial = 0; trial < 20; trial++) {
                float[] x = gaussian(r, n + 3, trial % 2 == 0 ? 1 : 1e-3f);
                int off = trial % 4;
                if (trial == 3) java.util.Arrays.fill(x, off, off + 256, 0f); // an all-zero block
                if (trial == 5) { // exact halves after scaling: roundf goes away from zero, rint would not
                    for (int i = 0; i < n; i++) x[off + i] = (i % 32 == 0) ? 127 : ((i % 7) - 3) + 0.5f;
                }
                fast.quantize(x, off, n);
                ref.quantizeReference(x, off, n);
                assertThat(fast.length()).isEqualTo(n);
                for (int i = 0; i < n; i++) assertThat(fast.quant(i)).as("quant " + i).isEqualTo(ref.quant(i));
                for (int b = 0; b < n / blockSize; b++) assertThat(fast.scale(b)).isEqualTo(ref.scale(b));
                int groups = blockSize == 32 ? n / 32 : n / 16;
                for (int j = 0; j < groups; j++) {
                    int s = 0;
                    int g = blockSize == 32 ? 32 : 16;
                    for (int i = 0; i < g; i++) s += ref.quant(g * j + i);
                    assertThat(fast.sum(j)).isEqualTo(s);
                    assertThat(ref.sum(j)).isEqualTo(s);
                }
            }
        }
    }

    /** The reference quantizer writes what ggml's quantize_row_q8_0_ref / q8_K_ref write (Q8_0Format, Q8_KFormat). */
    @Test
    void quantizeMatchesTheGgmlBlockEncoders() {
        Random r = new Random(11);
        int n = 256 * 3;
        float[] x = gaussian(r, n, 2f);
        for (int i = 0; i < n; i += 37) x[i] = (i % 2 == 0 ? 1 : -1) * (x[i] + 0.5f);

        QuantizedActivations a = QuantizedActivations.q8_0(n);
        a.quantize(x, 0, n);
        MemorySegment q8_0 = MemorySegment.ofArray(new byte[(int) GgmlType.Q8_0.bytesFor(n)]);
        Q8_0Format.INSTANCE.quantize(x, 0, n, q8_0, 0);
        for (int b = 0; b < n / 32; b++) {
            assertThat(a.scale(b)).isEqualTo(Fp16.read(q8_0, 34L * b));
            for (int j = 0; j < 32; j++) assertThat(a.quant(32 * b + j)).isEqualTo(Blocks.i8(q8_0, 34L * b + 2 + j));
        }

        QuantizedActivations k = QuantizedActivations.q8_K(n);
        k.quantize(x, 0, n);
        MemorySegment q8_K = MemorySegment.ofArray(new byte[(int) GgmlType.Q8_K.bytesFor(n)]);
        Q8_KFormat.INSTANCE.quantize(x, 0, n, q8_K, 0);
        for (int b = 0; b < n / 256; b++) {
            long p = 292L * b;
            assertThat(k.scale(b)).isEqualTo(q8_K.get(Blocks.F32, p));
            for (int j = 0; j < 256; j++) assertThat(k.quant(256 * b + j)).isEqualTo(Blocks.i8(q8_K, p + 4 + j));
            for (int j = 0; j < 16; j++) assertThat(k.sum(16 * b + j)).isEqualTo((int) q8_K.get(Blocks.I16, p + 260 + 2L * j));
        }
    }
}
