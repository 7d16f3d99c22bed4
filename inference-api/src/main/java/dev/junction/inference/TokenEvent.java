package dev.junction.inference;

/**
 * One generated token.
 *
 * @param text     the text this token adds to the output: may be empty while a UTF-8 character is incomplete or
 *                 while the text might be the start of a stop string (it is then released with a later event)
 * @param logprob  the token's log-probability and alternatives; null unless the request asked for them
 */
public record TokenEvent(String text, TokenLogprob logprob) {
}
