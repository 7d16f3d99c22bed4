package dev.junction.inference;

import java.util.Map;

/**
 * How tokens are picked, with the OpenAI API's meanings; neutral values switch a knob off.
 *
 * @param temperature      0 = greedy; the OpenAI default is 1
 * @param topP             nucleus sampling, 1 = off
 * @param topK             0 = off (not in the OpenAI API; llama.cpp and vLLM accept it)
 * @param minP             0 = off (ditto)
 * @param presencePenalty  -2..2, 0 = off
 * @param frequencyPenalty -2..2, 0 = off
 * @param logitBias        token id → bias added to its logit (-100..100)
 * @param seed             the same seed and request give the same output; null = a random seed
 */
public record Sampling(double temperature, double topP, int topK, double minP, double presencePenalty,
                       double frequencyPenalty, Map<Integer, Double> logitBias, Long seed) {
    /** The OpenAI API's defaults: temperature 1, top-p 1, no penalties, random seed. */
    public static final Sampling DEFAULTS = new Sampling(1, 1, 0, 0, 0, 0, Map.of(), null);

    public Sampling {
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        check(Double.isFinite(temperature) && temperature >= 0 && temperature <= 2, "temperature",
                "temperature must be between 0 and 2, got " + temperature);
        check(topP > 0 && topP <= 1, "top_p", "top_p must be in (0, 1], got " + topP);
        check(topK >= 0, "top_k", "top_k must be >= 0, got " + topK);
        check(minP >= 0 && minP <= 1, "min_p", "min_p must be in [0, 1], got " + minP);
        check(presencePenalty >= -2 && presencePenalty <= 2, "presence_penalty",
                "presence_penalty must be between -2 and 2, got " + presencePenalty);
        check(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency_penalty",
                "frequency_penalty must be between -2 and 2, got " + frequencyPenalty);
        for (var e : logitBias.entrySet()) {
            check(e.getKey() >= 0 && e.getValue() >= -100 && e.getValue() <= 100, "logit_bias",
                    "logit_bias maps token ids to values between -100 and 100, got " + e.getKey() + ": " + e.getValue());
        }
    }

    /** Always the most likely token. */
    public static Sampling greedy() {
        return DEFAULTS.withTemperature(0);
    }

    public Sampling withTemperature(double t) {
        return new Sampling(t, topP, topK, minP, presencePenalty, frequencyPenalty, logitBias, seed);
    }

    public Sampling withSeed(Long s) {
        return new Sampling(temperature, topP, topK, minP, presencePenalty, frequencyPenalty, logitBias, s);
    }

    private static void check(boolean ok, String param, String message) {
        if (!ok) throw new InferenceException(InferenceException.Kind.INVALID_REQUEST, param, message);
    }
}
