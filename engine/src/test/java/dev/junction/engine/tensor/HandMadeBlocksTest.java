package dev.junction.engine.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One block per type written byte by byte, with the expected values worked out here from the ggml layout
 * independently of the format code. Every expected value is exactly representable, so equality is exact; the fast
 * dot is checked against one-hot {@code x} vectors too, which picks single elements out of it.
 */
class HandMadeBlocksTest {
    /** Byte buffer writer: little-endian helpers for building blocks. */
    private static final class Bytes {
        final byte[] b;
        int pos;

        Bytes(int size) {
            b = new byte[size];
        }

        Bytes u8(int v) {
            b[pos++] = (byte) v;
            return this;
        }

        Bytes u16(int v) {
            return u8(v & 0xFF).u8(v >>> 8);
        }

        Bytes u32(int v) {
            return u16(v & 0xFFFF).u16(v >>> 16);
        }

        MemorySegment done() {
            assertThat(pos).as("bytes written").isEqualTo(b.length);
            return MemorySegment.ofArray(b);
        }
    }

    private static void check(GgmlType t, MemorySegment block, float[] expected) {
        QuantFormat f = QuantFormat.of(t);
        int n = expected.length;
        float[] got = new float[n];
        f.dequantize(block, 0, got, 0, n);
        for (int i = 0; i < n; i++) assertThat(got[i]).as("%s element %d", t, i).isEqualTo(expected[i]);
        // the dot paths pick out single elements with one-hot x, and sum everything with x = 1
        float[] x = new float[n];
        for (int i = 0; i < n; i += 7) {
            x[i] = 1;
            assertThat(f.dot(block, 0, x, 0, n)).as("%s fast dot e_%d", t, i).isEqualTo(expected[i]);
            assertThat(f.dotReference(block, 0, x, 0, n)).as("%s reference dot e_%d", t, i).isEqualTo(expected[i]);
            x[i] = 0;
        }
        java.util.Arrays.fill(x, 1);
        double sum = 0;
        for (float e : expected) sum += e;
        assertThat((double) f.dot(block, 0, x, 0, n)).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(sum))));
    }

    @Test
    void f32() {
        // 1.5f = 0x3FC00000, -2.0f = 0xC0000000, 0.25f = 0x3E800000
        check(GgmlType.F32, new Bytes(12).u32(0x3FC00000).u32(0xC0000000).u32(0x3E800000).done(),
                new float[] {1.5f, -2.0f, 0.25f});
    }

    @Test
    void f16() {
        // 1.0, 0.5, -2.0, 65504 (max half), 2^-24 (smallest subnormal), 2^-14 (smallest normal), -0.0, 1.5
        MemorySegment s = new Bytes(18).u16(0x3C00).u16(0x3800).u16(0xC000).u16(0x7BFF).u16(0x0001).u16(0x0400)
                .u16(0x8000).u16(0x3E00).u16(0x3555).done();
        check(GgmlType.F16, s, new float[] {1.0f, 0.5f, -2.0f, 65504f, 0x1p-24f, 0x1p-14f, -0.0f, 1.5f,
                (float) (1 + 0x155 / 1024.0) / 4}); // 0x3555: exponent 13 (2^-2), mantissa 0x155
    }

    @Test
    void bf16() {
        // 1.0 = 0x3F80, -3.0 = 0xC040, 1.5 = 0x3FC0
        check(GgmlType.BF16, new Bytes(8).u16(0x3F80).u16(0xC040).u16(0x3FC0).u16(0x4049).done(),
                new float[] {1.0f, -3.0f, 1.5f, 3.140625f}); // 0x4049: 2·(1 + 0x49/128)
    }

    @Test
    void q8_0() {
        Bytes b = new Bytes(34).u16(0x3800); // d = 0.5
        for (int i = 0; i < 32; i++) b.u8(i * 9 - 140); // spans negative and positive int8
        float[] expected = new float[32];
        for (int i = 0; i < 32; i++) expected[i] = (byte) (i * 9 - 140) * 0.5f;
        check(GgmlType.Q8_0, b.done(), expected);
    }

    @Test
    void q4_0() {
        Bytes b = new Bytes(18).u16(0x3800); // d = 0.5
        for (int j = 0; j < 16; j++) b.u8(j | ((15 - j) << 4));
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = (j - 8) * 0.5f;            // low nibble j
            expected[j + 16] = (15 - j - 8) * 0.5f;  // high nibble 15-j
        }
        check(GgmlType.Q4_0, b.done(), expected);
    }

    @Test
    void q4_1() {
        Bytes b = new Bytes(20).u16(0x3800).u16(0xBC00); // d = 0.5, m = -1
        for (int j = 0; j < 16; j++) b.u8(j | ((15 - j) << 4));
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = j * 0.5f - 1;
            expected[j + 16] = (15 - j) * 0.5f - 1;
        }
        check(GgmlType.Q4_1, b.done(), expected);
    }

    private static final int QH = 0xA5C3_0F96; // fifth bits: bit i belongs to element i

    @Test
    void q5_0() {
        Bytes b = new Bytes(22).u16(0x3C00).u32(QH); // d = 1
        for (int j = 0; j < 16; j++) b.u8(j | ((15 - j) << 4));
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = (j + 16 * ((QH >>> j) & 1)) - 16;
            expected[j + 16] = (15 - j + 16 * ((QH >>> (j + 16)) & 1)) - 16;
        }
        check(GgmlType.Q5_0, b.done(), expected);
    }

    @Test
    void q5_1() {
        Bytes b = new Bytes(24).u16(0x3800).u16(0x3C00).u32(QH); // d = 0.5, m = 1
        for (int j = 0; j < 16; j++) b.u8(j | ((15 - j) << 4));
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = (j + 16 * ((QH >>> j) & 1)) * 0.5f + 1;
            expected[j + 16] = (15 - j + 16 * ((QH >>> (j + 16)) & 1)) * 0.5f + 1;
        }
        check(GgmlType.Q5_1, b.done(), expected);
    }

    // Six-bit scales and mins of the eight sub-blocks, and their 12-byte packing worked out by hand:
    // bytes 0-3: sc[j] | (sc[j+4] >> 4) << 6; bytes 4-7: m[j] | (m[j+4] >> 4) << 6;
    // bytes 8-11: (sc[j+4] & 15) | (m[j+4] & 15) << 4.
    private static final int[] SC = {1, 2, 3, 4, 33, 40, 50, 63};
    private static final int[] M = {5, 6, 7, 8, 17, 34, 51, 62};
    private static final int[] PACKED = {0x81, 0x82, 0xC3, 0xC4, 0x45, 0x86, 0xC7, 0xC8, 0x11, 0x28, 0x32, 0xEF};

    @Test
    void q4_K() {
        Bytes b = new Bytes(144).u16(0x3C00).u16(0x3800); // d = 1, dmin = 0.5
        for (int v : PACKED) b.u8(v);
        for (int i = 0; i < 128; i++) b.u8(i * 13 + 5);
        float[] expected = new float[256];
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int q = (32 * c + l) * 13 + 5 & 0xFF;
                expected[64 * c + l] = SC[2 * c] * (q & 15) - 0.5f * M[2 * c];
                expected[64 * c + 32 + l] = SC[2 * c + 1] * (q >> 4) - 0.5f * M[2 * c + 1];
            }
        }
        check(GgmlType.Q4_K, b.done(), expected);
    }

    @Test
    void q5_K() {
        Bytes b = new Bytes(176).u16(0x3800).u16(0x3400); // d = 0.5, dmin = 0.25
        for (int v : PACKED) b.u8(v);
        for (int l = 0; l < 32; l++) b.u8(l * 37 + 11);   // qh
        for (int i = 0; i < 128; i++) b.u8(i * 13 + 5);   // qs
        float[] expected = new float[256];
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int q = (32 * c + l) * 13 + 5 & 0xFF;
                int h = l * 37 + 11 & 0xFF;
                int q0 = (q & 15) + 16 * ((h >> (2 * c)) & 1);
                int q1 = (q >> 4) + 16 * ((h >> (2 * c + 1)) & 1);
                expected[64 * c + l] = 0.5f * SC[2 * c] * q0 - 0.25f * M[2 * c];
                expected[64 * c + 32 + l] = 0.5f * SC[2 * c + 1] * q1 - 0.25f * M[2 * c + 1];
            }
        }
        check(GgmlType.Q5_K, b.done(), expected);
    }

    @Test
    void q6_K() {
        int[] scales = {-128, -3, 1, 127, 2, -1, 5, 9, -7, 64, 3, -2, 11, 1, -50, 4};
        Bytes b = new Bytes(210);
        for (int i = 0; i < 128; i++) b.u8(i * 29 + 3);   // ql
        for (int i = 0; i < 64; i++) b.u8(i * 53 + 17);   // qh
        for (int s : scales) b.u8(s);
        b.u16(0x3400); // d = 0.25
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            // element e = 128h + 32k + l: ql byte 64h + l (+32 for odd k), low nibble for k < 2;
            // top bits 2k..2k+1 of qh[32h + l]; scale index e / 16
            int h = e / 128, k = e % 128 / 32, l = e % 32;
            int ql = (64 * h + l + (k % 2) * 32) * 29 + 3 & 0xFF;
            int qh = (32 * h + l) * 53 + 17 & 0xFF;
            int nibble = k < 2 ? ql & 15 : ql >> 4;
            int q = (nibble | ((qh >> (2 * k)) & 3) << 4) - 32;
            expected[e] = 0.25f * scales[e / 16] * q;
        }
        check(GgmlType.Q6_K, b.done(), expected);
    }

    @Test
    void q8_K() {
        Bytes b = new Bytes(292).u32(0x3E800000); // d = 0.25f
        for (int i = 0; i < 256; i++) b.u8(i * 37);
        for (int j = 0; j < 16; j++) b.u16(0); // bsums: not used to dequantize
        float[] expected = new float[256];
        for (int i = 0; i < 256; i++) expected[i] = 0.25f * (byte) (i * 37);
        check(GgmlType.Q8_K, b.done(), expected);
    }

    @Test
    void q8_KQuantizeFillsBlockSums() {
        float[] x = new float[256];
        for (int i = 0; i < 256; i++) x[i] = (float) Math.sin(i * 0.37) * 3;
        MemorySegment s = MemorySegment.ofArray(new byte[292]);
        QuantFormat.of(GgmlType.Q8_K).quantize(x, 0, 256, s, 0);
        for (int j = 0; j < 16; j++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) sum += s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4 + 16 * j + i);
            assertThat((int) s.get(Blocks.I16, 260 + 2L * j)).isEqualTo(sum);
        }
    }

    @Test
    void q2_K() {
        int[] scales = {0x00, 0x1F, 0xF1, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x10, 0x32, 0x54, 0x76, 0x98, 0xBA};
        Bytes b = new Bytes(84);
        for (int v : scales) b.u8(v);
        for (int i = 0; i < 64; i++) b.u8(i * 41 + 7);
        b.u16(0x3C00).u16(0x3800); // d = 1, dmin = 0.5
        float[] expected = new float[256];
        // byte i of qs (half i / 32, column i % 32) holds four elements, 32 apart, two bits each from the bottom;
        // each run of 16 elements has its own scale byte, in element order
        for (int i = 0; i < 64; i++) {
            int bits = i * 41 + 7 & 0xFF;
            for (int j = 0; j < 4; j++) {
                int e = 128 * (i / 32) + 32 * j + i % 32;
                int sc = scales[e / 16];
                expected[e] = (sc & 15) * ((bits >> (2 * j)) & 3) - 0.5f * (sc >> 4);
            }
        }
        check(GgmlType.Q2_K, b.done(), expected);
    }

    @Test
    void q3_K() {
        int[] packed = {0x9A, 0x01, 0xFF, 0x70, 0x3C, 0xC3, 0x5E, 0x81, 0x1B, 0xE4, 0x72, 0x0D};
        Bytes b = new Bytes(110);
        for (int i = 0; i < 32; i++) b.u8(i * 59 + 13);   // hmask
        for (int i = 0; i < 64; i++) b.u8(i * 23 + 101);  // qs
        for (int v : packed) b.u8(v);
        b.u16(0x3800); // d = 0.5
        // ggml's unpacking: three little-endian words, four scales per word after masking
        int aux0 = word(packed, 0), aux1 = word(packed, 4), tmp = word(packed, 8);
        int[] words = {(aux0 & 0x0F0F0F0F) | ((tmp & 0x03030303) << 4), (aux1 & 0x0F0F0F0F) | (((tmp >> 2) & 0x03030303) << 4),
                ((aux0 >> 4) & 0x0F0F0F0F) | (((tmp >> 4) & 0x03030303) << 4), ((aux1 >> 4) & 0x0F0F0F0F) | (((tmp >> 6) & 0x03030303) << 4)};
        int[] scale = new int[16];
        for (int s = 0; s < 16; s++) scale[s] = ((words[s / 4] >>> (8 * (s % 4))) & 0xFF) - 32;
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int h = e / 128, j = e % 128 / 32, l = e % 32;
            int low = ((l + 32 * h) * 23 + 101 & 0xFF) >> (2 * j) & 3;
            boolean high = ((l * 59 + 13 & 0xFF) & (1 << (4 * h + j))) != 0;
            expected[e] = 0.5f * scale[e / 16] * (low - (high ? 0 : 4));
        }
        check(GgmlType.Q3_K, b.done(), expected);
    }

    private static int word(int[] bytes, int at) {
        return bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24;
    }

    private static final int[] IQ4 = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    @Test
    void iq4_NL() {
        Bytes b = new Bytes(36);
        b.u16(0x3800); // d = 0.5
        for (int j = 0; j < 16; j++) b.u8(j * 16 + (15 - j)); // low nibble 15 - j, high nibble j
        b.u16(0xC400); // d = -4
        for (int j = 0; j < 16; j++) b.u8(j * 37 + 5);
        float[] expected = new float[64];
        for (int j = 0; j < 16; j++) {
            expected[j] = 0.5f * IQ4[15 - j];
            expected[16 + j] = 0.5f * IQ4[j];
            int q = j * 37 + 5 & 0xFF;
            expected[32 + j] = -4f * IQ4[q & 15];
            expected[48 + j] = -4f * IQ4[q >> 4];
        }
        check(GgmlType.IQ4_NL, b.done(), expected);
    }

    @Test
    void iq4_XS() {
        int scalesH = 0xB4E1;
        int[] scalesL = {0x3A, 0xC5, 0x0F, 0x96};
        Bytes b = new Bytes(136).u16(0x3400).u16(scalesH); // d = 0.25
        for (int v : scalesL) b.u8(v);
        for (int i = 0; i < 128; i++) b.u8(i * 71 + 9);
        float[] expected = new float[256];
        for (int ib = 0; ib < 8; ib++) {
            int low = ib % 2 == 0 ? scalesL[ib / 2] & 15 : scalesL[ib / 2] >> 4;
            int ls = low + 16 * ((scalesH >> (2 * ib)) & 3);
            for (int j = 0; j < 16; j++) {
                int q = (16 * ib + j) * 71 + 9 & 0xFF;
                expected[32 * ib + j] = 0.25f * (ls - 32) * IQ4[q & 15];
                expected[32 * ib + 16 + j] = 0.25f * (ls - 32) * IQ4[q >> 4];
            }
        }
        check(GgmlType.IQ4_XS, b.done(), expected);
    }

    private static final float[] E2M1 = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};

    @Test
    void mxfp4() {
        // three blocks: E8M0 exponents 127 (2^0 for E2M1 values), 0 (2^-127, the smallest), 130 (2^3)
        int[] exponents = {127, 0, 130};
        Bytes b = new Bytes(51);
        float[] expected = new float[96];
        for (int k = 0; k < 3; k++) {
            b.u8(exponents[k]);
            for (int j = 0; j < 16; j++) {
                int q = (j + 16 * k) * 29 + 3 & 0xFF;
                b.u8(q);
                double scale = Math.pow(2, exponents[k] - 127); // the E2M1 value times 2^(e-127), the OCP definition
                expected[32 * k + j] = (float) (E2M1[q & 15] * scale);
                expected[32 * k + 16 + j] = (float) (E2M1[q >> 4] * scale);
            }
        }
        for (int i = 0; i < 96; i++) if (expected[i] == 0) expected[i] = 0; // ggml's table has +0 for code 8
        check(GgmlType.MXFP4, b.done(), expected);
    }

    @Test
    void mxfp4LargestExponent() {
        Bytes b = new Bytes(17).u8(255); // 2^128 · E2M1: only ±0.5 stays finite
        for (int j = 0; j < 16; j++) b.u8(j % 2 == 0 ? 0x91 : 0x19); // codes 1 (0.5) and 9 (-0.5)
        MemorySegment s = b.done();
        float[] got = new float[32];
        QuantFormat.of(GgmlType.MXFP4).dequantize(s, 0, got, 0, 32);
        for (int i = 0; i < 32; i++) {
            int code = (i < 16) == (i % 2 == 0) ? 1 : 9;
            assertThat(got[i]).as("element %d", i).isEqualTo(code == 1 ? 0x1p127f : -0x1p127f);
        }
    }
}
