package dev.junction.engine.model;

/**
 * Rotary position embedding as ggml computes it: pair {@code i} of a head turns by {@code pos · base^(-2i/d) / f_i},
 * where {@code f_i} is a per-pair frequency divisor (Llama 3 scaling, from a {@code rope_freqs} tensor or from
 * metadata) and positions may be linearly scaled, or YaRN-scaled as llama.cpp does it (see {@link #prepare}). The
 * angles of one position are prepared once per step and then applied to every head of Q and K in every layer of the
 * same RoPE base.
 */
final class Rope {
    private final RopeStyle style;
    private final int dims;
    private final float base;
    private final float positionScale;
    private final float thetaScale; // base^(-2/dims): the ratio between the frequencies of neighbouring pairs
    private final float[] factors; // per pair, or null
    private final float yarnScale, yarnLow, yarnHigh, yarnMscale; // yarnScale 0: no YaRN

    Rope(ModelConfig config, float[] factorsFromFile) {
        this(config, config.ropeBase(), factorsFromFile);
    }

    Rope(ModelConfig config, float base, float[] factorsFromFile) {
        this.style = config.architecture().ropeStyle();
        this.dims = config.ropeDims();
        this.base = base;
        this.positionScale = config.ropeScale();
        this.thetaScale = (float) Math.pow(base, -2.0 / dims);
        this.factors = factorsFromFile != null ? factorsFromFile
                : config.ropeScaling() != null ? llama3Factors(config) : null;
        ModelConfig.Yarn yarn = config.yarn();
        if (yarn != null && yarn.factor() > 0 && yarn.factor() != 1f) {
            yarnScale = 1f / yarn.factor();
            yarnLow = Math.max(0, (float) Math.floor(correctionDim(yarn.betaFast(), yarn.originalContext())));
            yarnHigh = Math.min(dims - 1, (float) Math.ceil(correctionDim(yarn.betaSlow(), yarn.originalContext())));
            yarnMscale = 1f + 0.1f * (float) Math.log(1f / yarnScale);
        } else {
            yarnScale = yarnLow = yarnHigh = 0f;
            yarnMscale = 1f;
        }
    }

    /** YaRN's correction dimension: the pair index whose wavelength fits {@code rotations} times in the context. */
    private float correctionDim(float rotations, int originalContext) {
        return (float) (dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(base)));
    }

    /**
     * Fills {@code cos} and {@code sin} from {@code offset} (one entry per pair) for position {@code pos}. With YaRN,
     * pair {@code i} turns by a mix of the unscaled angle and the angle divided by the factor (unscaled above the
     * correction range, scaled below it, a linear ramp between its rounded ends), and cos and sin are multiplied by
     * {@code 1 + 0.1 ln(factor)}, all as llama.cpp computes it.
     */
    void prepare(int pos, float[] cos, float[] sin, int offset) {
        float theta = pos;
        for (int i = 0; i < dims / 2; i++) {
            float t = positionScale * (factors != null ? theta / factors[i] : theta);
            float m = 1f;
            if (yarnScale != 0f) {
                float ramp = 1f - Math.min(1f, Math.max(0f, (i - yarnLow) / Math.max(0.001f, yarnHigh - yarnLow)));
                t = yarnScale * t * (1 - ramp) + t * ramp;
                m = yarnMscale;
            }
            cos[offset + i] = (float) Math.cos(t) * m;
            sin[offset + i] = (float) Math.sin(t) * m;
            theta *= thetaScale;
        }
    }

    /**
     * Rotates {@code heads} consecutive heads of size {@code headDim} starting at {@code offset}, with the angles
     * prepared at {@code angles} of {@code cos} and {@code sin}.
     */
    void rotate(float[] v, int offset, int heads, int headDim, float[] cos, float[] sin, int angles) {
        int half = dims / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                int a = style == RopeStyle.NORMAL ? base + 2 * i : base + i;
                int b = style == RopeStyle.NORMAL ? a + 1 : a + half;
                float x0 = v[a], x1 = v[b], c = cos[angles + i], s = sin[angles + i];
                v[a] = x0 * c - x1 * s;
                v[b] = x0 * s + x1 * c;
            }
        }
    }

    /** Llama 3.1 frequency scaling: long wavelengths slowed by {@code factor}, short ones kept, smooth between. */
    static float[] llama3Factors(ModelConfig c) {
        ModelConfig.RopeScaling s = c.ropeScaling();
        float[] f = new float[c.ropeDims() / 2];
        double lowWavelen = s.originalContext() / s.lowFreqFactor();
        double highWavelen = s.originalContext() / s.highFreqFactor();
        for (int i = 0; i < f.length; i++) {
            double freq = Math.pow(c.ropeBase(), -2.0 * i / c.ropeDims());
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) {
                f[i] = 1f;
            } else if (wavelen > lowWavelen) {
                f[i] = s.factor();
            } else {
                double smooth = (s.originalContext() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                double scaled = (1 - smooth) * freq / s.factor() + smooth * freq;
                f[i] = (float) (freq / scaled);
            }
        }
        return f;
    }
}
