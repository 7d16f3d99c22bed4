package dev.junction.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Helpers shared by the K-quant super-block formats (256 elements): the 12-byte packing of eight 6-bit scales and
 * eight 6-bit mins used by Q4_K and Q5_K (ggml's {@code get_scale_min_k4}), and a simple min/max quantizer for it.
 */
final class KQuants {
    private KQuants() {}

    static final int QK_K = 256;

    /**
     * Scale {@code j} (0..7) of the 12 packed bytes at {@code p}: sub-blocks 0..3 keep theirs in the low six bits of
     * bytes 0..3; sub-blocks 4..7 have their low four bits in the low nibble of bytes 8..11 and their top two bits
     * in the top bits of bytes 0..3.
     */
    static int scale(MemorySegment s, long p, int j) {
        if (j < 4) return Blocks.u8(s, p + j) & 63;
        return (Blocks.u8(s, p + j + 4) & 0xF) | ((Blocks.u8(s, p + j - 4) >>> 6) << 4);
    }

    /**
     * Min {@code j} (0..7): sub-blocks 0..3 in the low six bits of bytes 4..7; sub-blocks 4..7 in the high nibble
     * of bytes 8..11 plus the top two bits of bytes 4..7.
     */
    static int min(MemorySegment s, long p, int j) {
        if (j < 4) return Blocks.u8(s, p + j + 4) & 63;
        return (Blocks.u8(s, p + j + 4) >>> 4) | ((Blocks.u8(s, p + j) >>> 6) << 4);
    }

    private static final int K1 = 0x3f3f3f3f, K2 = 0x0f0f0f0f, K3 = 0x03030303;

    /**
     * All eight six-bit scales of the 12 packed bytes at {@code p}, scale {@code j} in byte {@code j} of the result
     * (as ggml's {@code utmp} unpacking: three 32-bit reads and a few masks instead of sixteen byte reads).
     */
    static long scales(MemorySegment s, long p) {
        int u0 = s.get(Blocks.I32, p), u2 = s.get(Blocks.I32, p + 8);
        int hi = (u2 & K2) | (((u0 >>> 6) & K3) << 4);
        return (u0 & K1) & 0xFFFFFFFFL | ((long) hi << 32);
    }

    /** All eight six-bit mins of the 12 packed bytes at {@code p}, min {@code j} in byte {@code j} of the result. */
    static long mins(MemorySegment s, long p) {
        int u1 = s.get(Blocks.I32, p + 4), u2 = s.get(Blocks.I32, p + 8);
        int hi = ((u2 >>> 4) & K2) | (((u1 >>> 6) & K3) << 4);
        return (u1 & K1) & 0xFFFFFFFFL | ((long) hi << 32);
    }

    /** Byte {@code j} of {@code packed} ({@link #scales}, {@link #mins}). */
    static int at(long packed, int j) {
        return (int) (packed >>> (8 * j)) & 0xFF;
    }

    /**
     * Σ_j min_j · sums32[8b+j]: the integer part of the K-quant min correction of super-block {@code b}. Written out as
     * a tree of sums with the last read first: as a loop (a bounds check and a dependent add per term) the min
     * correction took a fifth of Q4_K's single-vector product; written out, that product is 7 % faster.
     */
    static int minDot(long mins, int[] sums32, int b) {
        int i = 8 * b;
        int lo = (int) mins, hi = (int) (mins >>> 32);
        int s7 = sums32[i + 7]; // read first: the checks of the seven before it fold into this one
        return ((lo & 0xFF) * sums32[i] + ((lo >>> 8) & 0xFF) * sums32[i + 1])
                + (((lo >>> 16) & 0xFF) * sums32[i + 2] + (lo >>> 24) * sums32[i + 3])
                + (((hi & 0xFF) * sums32[i + 4] + ((hi >>> 8) & 0xFF) * sums32[i + 5])
                + (((hi >>> 16) & 0xFF) * sums32[i + 6] + (hi >>> 24) * s7));
    }

    /** The inverse of {@link #scale} and {@link #min}: packs six-bit {@code sc[8]} and {@code m[8]} into 12 bytes. */
    static void packScalesMins(int[] sc, int[] m, MemorySegment s, long p) {
        byte[] out = new byte[12];
        for (int j = 0; j < 4; j++) {
            out[j] = (byte) ((sc[j] & 63) | ((sc[j + 4] >>> 4) << 6));
            out[j + 4] = (byte) ((m[j] & 63) | ((m[j + 4] >>> 4) << 6));
            out[j + 8] = (byte) ((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
        }
        MemorySegment.copy(MemorySegment.ofArray(out), 0, s, p, 12);
    }

    /**
     * Quantizes one super-block of 256 floats as eight sub-blocks of 32, each {@code x ≈ d·sc·q - dmin·m} with
     * {@code q} in {@code 0..nmax}. Each sub-block's scale and min come from its own range (the min clamped to
     * at most 0, as ggml stores mins as non-negative offsets); they are then quantized to six bits against the
     * super-block's {@code d} and {@code dmin}. Writes {@code half d, half dmin, scales[12]} at {@code p} and the
     * levels to {@code q[0..255]}. Simple rather than optimal (ggml searches for better scales).
     */
    static void quantizeScaleMin(float[] src, int s, int nmax, MemorySegment dst, long p, int[] q) {
        float[] scales = new float[8];
        float[] mins = new float[8];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float lo = 0, hi = -Float.MAX_VALUE;
            for (int i = 0; i < 32; i++) {
                lo = Math.min(lo, src[s + 32 * j + i]);
                hi = Math.max(hi, src[s + 32 * j + i]);
            }
            scales[j] = (hi - lo) / nmax;
            mins[j] = -lo;
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        Fp16.write(dst, p, maxScale / 63);
        Fp16.write(dst, p + 2, maxMin / 63);
        float d = Fp16.read(dst, p);
        float dmin = Fp16.read(dst, p + 2);
        int[] sc = new int[8];
        int[] m = new int[8];
        for (int j = 0; j < 8; j++) {
            sc[j] = d > 0 ? Math.clamp(Blocks.nearestEven(scales[j] / d), 0, 63) : 0;
            m[j] = dmin > 0 ? Math.clamp(Blocks.nearestEven(mins[j] / dmin), 0, 63) : 0;
            float ds = d * sc[j];
            float dm = dmin * m[j];
            for (int i = 0; i < 32; i++) {
                q[32 * j + i] = ds > 0 ? Math.clamp(Blocks.nearestEven((src[s + 32 * j + i] + dm) / ds), 0, nmax) : 0;
            }
        }
        packScalesMins(sc, m, dst, p + 4);
    }
}
