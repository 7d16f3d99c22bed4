package dev.junction.openai;

import java.util.List;

/**
 * One token of a chat completion with its log-probability: {@code choices[].logprobs.content[]}.
 *
 * @param bytes       the token's UTF-8 bytes as unsigned integers (a token may hold part of a character)
 * @param topLogprobs the most likely tokens at this step, most likely first
 */
public record TokenLogprob(String token, double logprob, List<Integer> bytes, List<TopLogprob> topLogprobs) {
    /** An alternative at one step. */
    public record TopLogprob(String token, double logprob, List<Integer> bytes) {
    }

    /** Bytes as the API lists them: each byte 0–255. */
    public static List<Integer> unsigned(byte[] bytes) {
        Integer[] values = new Integer[bytes.length];
        for (int i = 0; i < bytes.length; i++) values[i] = bytes[i] & 0xFF;
        return List.of(values);
    }
}
