package dev.junction.gateway.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A key's secret: {@code jk-} and 43 URL-safe characters (256 random bits). Only its SHA-256 is stored; a
 * presented secret is hashed and its hash compared in constant time. A secret this long needs no slow hash: nobody
 * guesses 256 bits, so the hash only has to keep a stolen database from yielding usable keys.
 */
public final class KeySecret {
    public static final String SCHEME = "jk-";
    /** How much of the secret is kept for display: the scheme and 8 characters. */
    public static final int PREFIX_LENGTH = SCHEME.length() + 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeySecret() {
    }

    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return SCHEME + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether {@code text} has a key's shape (so is worth looking up). */
    public static boolean looksLikeKey(String text) {
        return text != null && text.startsWith(SCHEME) && text.length() >= PREFIX_LENGTH + 8 && text.length() <= 200;
    }

    /** The hex SHA-256 of the secret, as stored. */
    public static String hash(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** Compares two hashes in time independent of where they differ. */
    public static boolean sameHash(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    public static String prefix(String secret) {
        return secret.substring(0, Math.min(PREFIX_LENGTH, secret.length()));
    }
}
