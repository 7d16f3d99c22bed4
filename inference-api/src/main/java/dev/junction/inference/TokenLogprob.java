package dev.junction.inference;

import java.util.List;

/**
 * A token with its log-probability (natural log, under the distribution the token was drawn from — before
 * temperature, as the OpenAI API reports it), and the most likely alternatives at that step.
 *
 * @param token   the token's text (a byte that is only part of a character reads as U+FFFD; {@code bytes} is exact)
 * @param bytes   the token's UTF-8 bytes
 * @param top     the most likely tokens at this step, most likely first; empty for the alternatives themselves
 */
public record TokenLogprob(String token, double logprob, byte[] bytes, List<TokenLogprob> top) {
    public TokenLogprob {
        top = top == null ? List.of() : List.copyOf(top);
    }
}
