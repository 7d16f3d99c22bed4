package dev.junction.gateway.tenant;

import java.security.SecureRandom;

/** Random ids ({@code org_…}, {@code key_…}, {@code user_…}): 96 bits, so ids of other tenants cannot be probed. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();

    private Ids() {
    }

    public static String next(String kind) {
        StringBuilder sb = new StringBuilder(kind).append('_');
        for (int i = 0; i < 17; i++) sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        return sb.toString();
    }
}
