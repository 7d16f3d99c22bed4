package dev.junction.gateway.auth;

import dev.junction.gateway.db.Database;
import dev.junction.gateway.tenant.ApiKey;
import dev.junction.gateway.tenant.KeySecret;
import dev.junction.gateway.tenant.Organization;
import dev.junction.gateway.tenant.Tenants;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a presented secret into a {@link Caller}, or nothing when the key is unknown, revoked or expired. Lookups
 * are by the secret's SHA-256 (the database compares hashes; equal-length hex, compared again in constant time), and
 * remembered for at most {@code freshness}: a key revoked or changed on any node is seen by every node within that.
 * Changes made through this node are seen at once ({@link #forget}).
 */
public final class Authenticator {
    /** How long a looked-up key is trusted before it is read again. */
    public static final Duration DEFAULT_FRESHNESS = Duration.ofMillis(500);
    private static final int MAX_REMEMBERED = 100_000;

    private final Database db;
    private final Tenants tenants;
    private final Clock clock;
    private final long freshnessMillis;
    private final ConcurrentHashMap<String, Remembered> byHash = new ConcurrentHashMap<>();

    public Authenticator(Database db, Tenants tenants, Clock clock, Duration freshness) {
        this.db = Objects.requireNonNull(db, "db");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.freshnessMillis = freshness.toMillis();
    }

    /** The caller whose key this is, if the key exists and is neither revoked nor expired now. */
    public Optional<Caller> authenticate(String secret) {
        if (!KeySecret.looksLikeKey(secret)) return Optional.empty();
        String hash = KeySecret.hash(secret);
        Instant now = clock.instant();
        Remembered r = byHash.get(hash);
        if (r == null || now.toEpochMilli() - r.readAt() >= freshnessMillis) {
            r = new Remembered(lookUp(secret), now.toEpochMilli());
            if (byHash.size() >= MAX_REMEMBERED) byHash.clear();
            byHash.put(hash, r);
        }
        return r.caller().filter(c -> c.key().activeAt(now));
    }

    /** Forgets what is remembered (after this node changed a key or an organization). */
    public void forget() {
        byHash.clear();
    }

    private Optional<Caller> lookUp(String secret) {
        return db.withHandle(h -> tenants.keyBySecret(h, secret).map(key -> {
            Optional<Organization> org = key.organizationId().flatMap(id -> tenants.organization(h, id));
            return new Caller(key, org);
        }));
    }

    private record Remembered(Optional<Caller> caller, long readAt) {
    }

    /** For tests: the key as last read. */
    Optional<ApiKey> remembered(String secret) {
        Remembered r = byHash.get(KeySecret.hash(secret));
        return r == null ? Optional.empty() : r.caller().map(Caller::key);
    }
}
