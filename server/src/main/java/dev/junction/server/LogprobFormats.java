package dev.junction.server;

import dev.junction.inference.TokenLogprob;
import dev.junction.openai.TextCompletion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The service's log-probabilities in the two OpenAI shapes: chat's per-token objects and the legacy parallel lists. */
final class LogprobFormats {
    private LogprobFormats() {
    }

    static dev.junction.openai.TokenLogprob chat(TokenLogprob logprob) {
        List<dev.junction.openai.TokenLogprob.TopLogprob> top = new ArrayList<>(logprob.top().size());
        for (TokenLogprob alternative : logprob.top()) {
            top.add(new dev.junction.openai.TokenLogprob.TopLogprob(alternative.token(), alternative.logprob(),
                    dev.junction.openai.TokenLogprob.unsigned(alternative.bytes())));
        }
        return new dev.junction.openai.TokenLogprob(logprob.token(), logprob.logprob(),
                dev.junction.openai.TokenLogprob.unsigned(logprob.bytes()), top);
    }

    static List<dev.junction.openai.TokenLogprob> chat(List<TokenLogprob> logprobs) {
        return logprobs.stream().map(LogprobFormats::chat).toList();
    }

    /**
     * The legacy shape. {@code text_offset} counts characters from the start of the choice's text, where the first
     * token begins at {@code offset} (the length of an echoed prompt). Each token's alternatives include the token
     * itself, as OpenAI's do (up to {@code logprobs + 1} entries). A token with nothing before it to be scored against
     * (the first of an echoed prompt; NaN here) has null for its log-probability and its alternatives, as in OpenAI's.
     */
    static TextCompletion.Logprobs legacy(List<TokenLogprob> logprobs, int offset) {
        List<String> tokens = new ArrayList<>(logprobs.size());
        List<Double> tokenLogprobs = new ArrayList<>(logprobs.size());
        List<Map<String, Double>> top = new ArrayList<>(logprobs.size());
        List<Integer> offsets = new ArrayList<>(logprobs.size());
        for (TokenLogprob logprob : logprobs) {
            tokens.add(logprob.token());
            offsets.add(offset);
            offset += logprob.token().length();
            if (Double.isNaN(logprob.logprob())) {
                tokenLogprobs.add(null);
                top.add(null);
                continue;
            }
            tokenLogprobs.add(logprob.logprob());
            Map<String, Double> alternatives = new LinkedHashMap<>();
            for (TokenLogprob alternative : logprob.top()) {
                alternatives.putIfAbsent(alternative.token(), alternative.logprob());
            }
            alternatives.putIfAbsent(logprob.token(), logprob.logprob());
            top.add(alternatives);
        }
        return new TextCompletion.Logprobs(tokens, tokenLogprobs, top, offsets);
    }
}
