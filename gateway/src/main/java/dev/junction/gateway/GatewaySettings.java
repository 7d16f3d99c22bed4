package dev.junction.gateway;

import dev.junction.gateway.auth.Authenticator;
import dev.junction.gateway.db.DatabaseUrl;
import dev.junction.gateway.usage.LedgerSettings;

import java.time.Duration;
import java.util.Objects;

/**
 * How the business edition runs.
 *
 * @param database         where everything is kept
 * @param node             this process's name on its reservations (unique per running node)
 * @param lease            how long a reservation stands without its node renewing it
 * @param freshness        how long a looked-up key is trusted (a revocation elsewhere is seen within it)
 * @param ledger           the usage ledger's batching and retention
 * @param defaultMaxTokens what a request without {@code max_tokens} reserves for each choice
 * @param maxConnections   the database pool's size
 */
public record GatewaySettings(DatabaseUrl database, String node, Duration lease, Duration freshness,
                              LedgerSettings ledger, int defaultMaxTokens, int maxConnections) {
    public GatewaySettings {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(freshness, "freshness");
        Objects.requireNonNull(ledger, "ledger");
        if (defaultMaxTokens < 1) throw new IllegalArgumentException("defaultMaxTokens must be positive");
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be positive");
    }

    /** The defaults on {@code database}: 30 s leases, keys trusted for 500 ms, 1,024 tokens reserved by default. */
    public static GatewaySettings defaults(DatabaseUrl database, String node) {
        return new GatewaySettings(database, node, Duration.ofSeconds(30), Authenticator.DEFAULT_FRESHNESS,
                LedgerSettings.DEFAULTS, 1024, 16);
    }

    public GatewaySettings withLedger(LedgerSettings l) {
        return new GatewaySettings(database, node, lease, freshness, l, defaultMaxTokens, maxConnections);
    }

    public GatewaySettings withLease(Duration l) {
        return new GatewaySettings(database, node, l, freshness, ledger, defaultMaxTokens, maxConnections);
    }
}
