package dev.junction.inference;

/**
 * One generated token.
 *
 * @param text      the text this token adds to the answer: may be empty while a UTF-8 character is incomplete or
 *                  while the text might be the start of a stop string (it is then released with a later event)
 * @param reasoning the text this token adds to the model's reasoning, for models that write it apart from the answer
 *                  (gpt-oss's analysis channel, Qwen3's {@code <think>} block); empty otherwise
 * @param logprob   the token's log-probability and alternatives; null unless the request asked for them
 */
public record TokenEvent(String text, String reasoning, TokenLogprob logprob) {
    public TokenEvent {
        text = text == null ? "" : text;
        reasoning = reasoning == null ? "" : reasoning;
    }

    /** A token of the answer only. */
    public TokenEvent(String text, TokenLogprob logprob) {
        this(text, "", logprob);
    }
}
