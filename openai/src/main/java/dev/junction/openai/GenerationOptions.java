package dev.junction.openai;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields chat and legacy completions share: how many tokens, how to sample them, when to stop, how many choices
 * and whether to stream. Values are the OpenAI API's defaults when the client sent none; ranges are checked where the
 * values are used (a sampler knows its own limits), except the shape rules the API itself states here.
 *
 * @param maxTokens        the most tokens each choice may generate; null = no limit but the context
 * @param topK             not in the OpenAI API (vLLM and llama.cpp accept it); 0 = off (vLLM's -1 reads as 0)
 * @param minP             ditto; 0 = off
 * @param n                choices to generate for each prompt (1–128)
 * @param stop             up to 4 stop strings
 * @param seed             null = a random seed
 * @param logitBias        token id → bias (-100..100)
 * @param user             the end user's id as the client reports it, for metering and abuse tracking; may be null
 * @param includeUsage     {@code stream_options.include_usage}: end the stream with a usage chunk
 */
public record GenerationOptions(Integer maxTokens, double temperature, double topP, int topK, double minP, int n,
                                List<String> stop, Long seed, double presencePenalty, double frequencyPenalty,
                                Map<Integer, Double> logitBias, String user, boolean stream, boolean includeUsage) {
    public static final int MAX_CHOICES = 128;
    public static final int MAX_STOP_STRINGS = 4;

    public GenerationOptions {
        stop = List.copyOf(stop);
        logitBias = Map.copyOf(logitBias);
    }

    /** Reads the shared fields; {@code defaultMaxTokens} is the endpoint's default (null = no limit). */
    static GenerationOptions read(JsonFields body, Integer defaultMaxTokens) {
        Integer maxTokens = body.integer("max_completion_tokens");
        String maxTokensParam = "max_completion_tokens";
        if (maxTokens == null) {
            maxTokens = body.integer("max_tokens");
            maxTokensParam = "max_tokens";
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new InvalidRequestException(maxTokensParam, "Invalid '" + maxTokensParam + "': integer below "
                    + "minimum value. Expected a value >= 1, but got " + maxTokens + " instead.");
        }
        int n = body.integer("n", 1);
        if (n < 1 || n > MAX_CHOICES) {
            throw new InvalidRequestException("n", "Invalid 'n': expected a value between 1 and " + MAX_CHOICES
                    + ", but got " + n + " instead.");
        }
        boolean stream = body.bool("stream", false);
        JsonFields streamOptions = body.object("stream_options");
        boolean includeUsage = stream && streamOptions != null && streamOptions.bool("include_usage", false);
        int topK = body.integer("top_k", 0);
        return new GenerationOptions(maxTokens != null ? maxTokens : defaultMaxTokens,
                body.number("temperature", 1), body.number("top_p", 1), topK == -1 ? 0 : topK, // vLLM's "off"
                body.number("min_p", 0), n, stop(body), body.longInteger("seed"),
                body.number("presence_penalty", 0), body.number("frequency_penalty", 0), logitBias(body),
                body.string("user"), stream, includeUsage);
    }

    private static List<String> stop(JsonFields body) {
        JsonNode stop = body.get("stop");
        if (stop == null) return List.of();
        if (stop.isTextual()) return List.of(stop.textValue());
        if (!stop.isArray()) throw JsonFields.wrongType("stop", "a string or an array of strings", stop);
        if (stop.size() > MAX_STOP_STRINGS) {
            throw new InvalidRequestException("stop", "Invalid 'stop': expected an array of at most "
                    + MAX_STOP_STRINGS + " strings, but got " + stop.size() + " instead.");
        }
        String[] strings = new String[stop.size()];
        for (int i = 0; i < strings.length; i++) {
            if (!stop.get(i).isTextual()) throw JsonFields.wrongType("stop[" + i + "]", "a string", stop.get(i));
            strings[i] = stop.get(i).textValue();
        }
        return List.of(strings);
    }

    private static Map<Integer, Double> logitBias(JsonFields body) {
        JsonFields bias = body.object("logit_bias");
        if (bias == null) return Map.of();
        Map<Integer, Double> biases = new LinkedHashMap<>();
        for (var field : body.get("logit_bias").properties()) {
            int token;
            try {
                token = Integer.parseInt(field.getKey());
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("logit_bias", "Invalid 'logit_bias': keys must be token ids, "
                        + "but got '" + field.getKey() + "'.");
            }
            biases.put(token, bias.number(field.getKey(), 0));
        }
        return biases;
    }
}
