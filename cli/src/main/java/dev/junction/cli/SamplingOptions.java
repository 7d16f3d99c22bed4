package dev.junction.cli;

import dev.junction.engine.sampling.SamplingParams;
import picocli.CommandLine.Option;

/** Sampling flags, named as llama.cpp names them; unset flags keep {@link SamplingParams#defaults()}. */
final class SamplingOptions {
    @Option(names = "--temp", description = "Temperature; 0 = greedy (default 0.8).")
    Float temperature;
    @Option(names = "--top-k", description = "Keep the K most likely tokens; 0 = off (default 40).")
    Integer topK;
    @Option(names = "--top-p", description = "Nucleus sampling mass; 1 = off (default 0.95).")
    Float topP;
    @Option(names = "--min-p", description = "Drop tokens below this fraction of the best one's probability (default 0.05).")
    Float minP;
    @Option(names = "--repeat-penalty", description = "Repetition penalty; 1 = off (default 1).")
    Float repeatPenalty;
    @Option(names = "--repeat-last-n", description = "Tokens the penalties look back over (default 64).")
    Integer repeatLastN;
    @Option(names = "--presence-penalty", description = "OpenAI-style presence penalty (default 0).")
    Float presencePenalty;
    @Option(names = "--frequency-penalty", description = "OpenAI-style frequency penalty (default 0).")
    Float frequencyPenalty;
    @Option(names = {"-l", "--logit-bias"}, paramLabel = "ID=BIAS",
            description = "Add BIAS to token ID's logit (repeatable); -inf or -100 bans it, +100 forces it.")
    java.util.Map<Integer, String> logitBias;
    @Option(names = "--seed", description = "Seed of the sampler; the same seed and settings give the same text.")
    Long seed;

    SamplingParams params() {
        SamplingParams p = SamplingParams.defaults();
        if (temperature != null) p = p.withTemperature(temperature);
        if (topK != null) p = p.withTopK(topK);
        if (topP != null) p = p.withTopP(topP);
        if (minP != null) p = p.withMinP(minP);
        if (repeatPenalty != null) p = p.withRepetitionPenalty(repeatPenalty);
        if (repeatLastN != null) p = p.withPenaltyLastN(repeatLastN);
        if (presencePenalty != null) p = p.withPresencePenalty(presencePenalty);
        if (frequencyPenalty != null) p = p.withFrequencyPenalty(frequencyPenalty);
        if (seed != null) p = p.withSeed(seed);
        if (logitBias != null) {
            java.util.Map<Integer, Float> bias = new java.util.HashMap<>();
            logitBias.forEach((id, value) -> bias.put(id, parseBias(value)));
            p = p.withLogitBias(bias);
        }
        return p;
    }

    /** A float, where {@code inf}/{@code -inf} (llama.cpp's spelling) mean the infinities. */
    private static float parseBias(String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "-inf", "-infinity" -> Float.NEGATIVE_INFINITY;
            case "inf", "+inf", "infinity" -> Float.POSITIVE_INFINITY;
            default -> {
                try {
                    yield Float.parseFloat(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--logit-bias wants ID=BIAS with a number or -inf, got " + value);
                }
            }
        };
    }
}
