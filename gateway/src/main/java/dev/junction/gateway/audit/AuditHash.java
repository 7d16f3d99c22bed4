package dev.junction.gateway.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How an entry's hash is computed: SHA-256, in lower-case hex, over a version tag, the seq and the time in epoch
 * milliseconds (8 bytes each, big-endian), then the organization id ({@code ""} for none; a present one is never
 * empty), actor, action, target, detail, source and the previous entry's hash, each as its UTF-8 byte count (4
 * bytes, big-endian) followed by the bytes. Every field has a fixed length or a length prefix, so no two different
 * entries encode alike. Changing this encoding breaks every existing chain: a new one needs a new version tag.
 */
final class AuditHash {
    /** The previous hash of the first entry, and the head's hash before any entry. */
    static final String GENESIS = "0".repeat(64);

    private static final byte[] VERSION = "junction-audit-v1".getBytes(StandardCharsets.UTF_8);

    private AuditHash() {
    }

    /** The hash entry {@code e} must carry to match its contents. */
    static String of(AuditEntry e) {
        return of(e.seq(), e.at().toEpochMilli(), e.organizationId().orElse(""), e.actor(), e.action(), e.target(),
                e.detail(), e.source(), e.previousHash());
    }

    static String of(long seq, long atMillis, String organizationId, String actor, String action, String target,
                     String detail, String source, String previousHash) {
        MessageDigest sha = sha256();
        field(sha, VERSION);
        sha.update(ByteBuffer.allocate(16).putLong(seq).putLong(atMillis).array());
        for (String text : new String[]{organizationId, actor, action, target, detail, source, previousHash}) {
            field(sha, text.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void field(MessageDigest sha, byte[] bytes) {
        sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        sha.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
