package dev.junction.engine.sampling;

import java.security.SecureRandom;
import java.util.Map;

/**
 * How to pick the next token from a model's logits; the knobs of llama.cpp and the OpenAI API, with the same meaning
 * and neutral values that switch each one off. Validated on construction so that a bad request fails with a message
 * naming the field instead of producing garbage.
 *
 * @param temperature       divides logits before the final draw; 0 means greedy (always the most likely token)
 * @param topK              keep only the k most likely tokens; 0 = off
 * @param topP              nucleus sampling: keep the most likely tokens whose probabilities add up to p; 1 = off
 * @param minP              drop tokens less likely than {@code minP} times the most likely one; 0 = off
 * @param repetitionPenalty CTRL-style: logits of recent tokens are divided by it when positive and multiplied when
 *                          negative; 1 = off
 * @param frequencyPenalty  OpenAI-style: subtracted from a recent token's logit once per occurrence; 0 = off
 * @param presencePenalty   OpenAI-style: subtracted once from the logit of any token that occurs recently; 0 = off
 * @param penaltyLastN      how many of the most recent accepted tokens the three penalties look at; 0 = off
 * @param logitBias         added to the logits of the given token ids first of all; {@code -inf} (or -100 and less)
 *                          bans a token, +100 all but forces it
 * @param seed              seeds the random draws: the same seed, parameters and logits give the same tokens
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty,
        float frequencyPenalty, float presencePenalty, int penaltyLastN, Map<Integer, Float> logitBias, long seed) {

    /** The seed {@link #defaults()} and {@link #greedy()} use; choose {@link #randomSeed()} for varied output. */
    public static final long DEFAULT_SEED = 0x5EEDL;
    /** llama.cpp's default penalty window. */
    public static final int DEFAULT_PENALTY_LAST_N = 64;

    public SamplingParams {
        require(Float.isFinite(temperature) && temperature >= 0, "temperature must be >= 0, got " + temperature);
        require(topK >= 0, "topK must be >= 0 (0 = off), got " + topK);
        require(topP > 0 && topP <= 1, "topP must be in (0, 1] (1 = off), got " + topP);
        require(minP >= 0 && minP <= 1, "minP must be in [0, 1] (0 = off), got " + minP);
        require(Float.isFinite(repetitionPenalty) && repetitionPenalty > 0,
                "repetitionPenalty must be > 0 (1 = off), got " + repetitionPenalty);
        require(Float.isFinite(frequencyPenalty), "frequencyPenalty must be finite, got " + frequencyPenalty);
        require(Float.isFinite(presencePenalty), "presencePenalty must be finite, got " + presencePenalty);
        require(penaltyLastN >= 0, "penaltyLastN must be >= 0 (0 = off), got " + penaltyLastN);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            require(e.getKey() >= 0, "logitBias token ids must be >= 0, got " + e.getKey());
            require(!e.getValue().isNaN() && e.getValue() != Float.POSITIVE_INFINITY,
                    "logitBias for token " + e.getKey() + " must be a number or -infinity, got " + e.getValue());
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Always the most likely token (after logit bias and penalties, which are off here). */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, DEFAULT_PENALTY_LAST_N, Map.of(), DEFAULT_SEED);
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties. */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1f, 0f, 0f, DEFAULT_PENALTY_LAST_N, Map.of(), DEFAULT_SEED);
    }

    /** A seed from a strong random source, for callers that want different output on every run. */
    public static long randomSeed() {
        return new SecureRandom().nextLong();
    }

    public SamplingParams withTemperature(float v) {
        return new SamplingParams(v, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
                penaltyLastN, logitBias, seed);
    }

    public SamplingParams withTopK(int v) {
        return new SamplingParams(temperature, v, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
                penaltyLastN, logitBias, seed);
    }

    public SamplingParams withTopP(float v) {
        return new SamplingParams(temperature, topK, v, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
                penaltyLastN, logitBias, seed);
    }

    public SamplingParams withMinP(float v) {
        return new SamplingParams(temperature, topK, topP, v, repetitionPenalty, frequencyPenalty, presencePenalty,
                penaltyLastN, logitBias, seed);
    }

    public SamplingParams withRepetitionPenalty(float v) {
        return new SamplingParams(temperature, topK, topP, minP, v, frequencyPenalty, presencePenalty, penaltyLastN,
                logitBias, seed);
    }

    public SamplingParams withFrequencyPenalty(float v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, v, presencePenalty, penaltyLastN,
                logitBias, seed);
    }

    public SamplingParams withPresencePenalty(float v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty, v, penaltyLastN,
                logitBias, seed);
    }

    public SamplingParams withPenaltyLastN(int v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
                v, logitBias, seed);
    }

    public SamplingParams withLogitBias(Map<Integer, Float> v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
                penaltyLastN, v, seed);
    }

    public SamplingParams withSeed(long v) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, frequencyPenalty, presencePenalty,
                penaltyLastN, logitBias, v);
    }

    /** Whether {@link Sampler} will simply take the most likely token. */
    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** Whether any of the repetition, frequency or presence penalties is on. */
    public boolean hasPenalties() {
        return penaltyLastN > 0 && (repetitionPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f);
    }
}
