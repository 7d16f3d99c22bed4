package dev.junction.server;

import java.util.concurrent.ThreadLocalRandom;

/** Response ids in the OpenAI style: a prefix ({@code chatcmpl-}, {@code cmpl-}) and 24 random letters and digits. */
final class ResponseIds {
    private static final char[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private ResponseIds() {
    }

    static String next(String prefix) {
        var random = ThreadLocalRandom.current();
        char[] id = new char[24];
        for (int i = 0; i < id.length; i++) id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        return prefix + new String(id);
    }
}
