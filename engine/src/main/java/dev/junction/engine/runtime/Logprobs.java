package dev.junction.engine.runtime;

import dev.junction.engine.sampling.TopTokens;
import dev.junction.engine.tokenizer.Tokenizer;
import dev.junction.inference.TokenLogprob;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Log-probabilities of a step as the OpenAI API reports them: the log-softmax of the model's raw logits (before logit
 * bias, penalties and temperature), for the chosen token and the most likely alternatives. Tokens are shown with
 * their bytes (control tokens as their text), so a byte that is only part of a character reads as U+FFFD while
 * {@link TokenLogprob#bytes()} stays exact. Only computed for requests that ask.
 */
final class Logprobs {
    private Logprobs() {}

    static TokenLogprob of(float[] logits, int vocab, int chosen, int top, Tokenizer tokenizer) {
        return of(logits, 0, vocab, chosen, top, tokenizer);
    }

    /** As {@link #of(float[], int, int, int, Tokenizer)} for the logits at {@code logits[offset, offset + vocab)}. */
    static TokenLogprob of(float[] logits, int offset, int vocab, int chosen, int top, Tokenizer tokenizer) {
        int end = offset + vocab;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < end; i++) if (logits[i] > max) max = logits[i]; // NaN never compares greater
        double sum = 0;
        for (int i = offset; i < end; i++) {
            float l = logits[i];
            if (l == l) sum += Math.exp(l - max);
        }
        double logSum = max + Math.log(sum);

        int[] best = TopTokens.of(logits, offset, vocab, top); // best first, lower id first on ties
        int n = best.length;
        List<TokenLogprob> alternatives = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            alternatives.add(entry(best[j], logits[offset + best[j]] - logSum, List.of(), tokenizer));
        }
        return entry(chosen, logProb(logits[offset + chosen], logSum), alternatives, tokenizer);
    }

    /** A token with nothing before it to be scored against: log-probability NaN, no alternatives. */
    static TokenLogprob unscored(int token, Tokenizer tokenizer) {
        return entry(token, Double.NaN, List.of(), tokenizer);
    }

    /**
     * The entry of the first token of a text as the text shows it: without the space a SentencePiece tokenizer puts
     * before the first word (so the tokens of a scored prompt add up to the prompt); its alternatives, which would
     * have been the first word too, likewise.
     */
    static TokenLogprob asFirst(TokenLogprob entry, int token, Tokenizer tokenizer) {
        if (!entry.token().startsWith(" ") || !tokenizer.decode(new int[]{token}).equals(entry.token().substring(1))) {
            return entry;
        }
        TokenLogprob first = withoutLeadingSpace(entry);
        return new TokenLogprob(first.token(), first.logprob(), first.bytes(),
                entry.top().stream().map(Logprobs::withoutLeadingSpace).toList());
    }

    /**
     * The text of a prompt given as token ids, as its scores spell it ({@link #unscored} first token as
     * {@link #asFirst}, then each token's bytes): what an echo without log-probabilities shows.
     */
    static String promptText(int[] tokens, Tokenizer tokenizer) {
        if (tokens.length == 0) return "";
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes(asFirst(unscored(tokens[0], tokenizer), tokens[0], tokenizer).bytes());
        for (int i = 1; i < tokens.length; i++) bytes.writeBytes(tokenizer.tokenBytes(tokens[i], true));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static TokenLogprob withoutLeadingSpace(TokenLogprob t) {
        if (!t.token().startsWith(" ")) return t;
        return new TokenLogprob(t.token().substring(1), t.logprob(), Arrays.copyOfRange(t.bytes(), 1, t.bytes().length),
                t.top());
    }

    private static double logProb(float logit, double logSum) {
        return logit != logit ? Double.NEGATIVE_INFINITY : logit - logSum;
    }

    private static TokenLogprob entry(int token, double logprob, List<TokenLogprob> top, Tokenizer tokenizer) {
        byte[] bytes = tokenizer.tokenBytes(token, true);
        return new TokenLogprob(new String(bytes, StandardCharsets.UTF_8), logprob, bytes, top);
    }
}
