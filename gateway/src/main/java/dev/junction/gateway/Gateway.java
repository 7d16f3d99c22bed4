package dev.junction.gateway;

import dev.junction.gateway.admin.Actor;
import dev.junction.gateway.admin.Admin;
import dev.junction.gateway.audit.AuditEvent;
import dev.junction.gateway.audit.AuditLog;
import dev.junction.gateway.auth.Authenticator;
import dev.junction.gateway.db.Database;
import dev.junction.gateway.db.SharedCells;
import dev.junction.gateway.http.AdminApi;
import dev.junction.gateway.http.AdminOperations;
import dev.junction.gateway.http.GatewayInterceptor;
import dev.junction.gateway.http.UsageEndpoint;
import dev.junction.gateway.limit.Limiter;
import dev.junction.gateway.limit.Pricing;
import dev.junction.gateway.limit.Settlements;
import dev.junction.gateway.tenant.KeySecret;
import dev.junction.gateway.tenant.Tenants;
import dev.junction.gateway.usage.Ledger;
import dev.junction.server.OpenAiServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The business edition, assembled: the database and its stores, the interceptor, the admin API and self-service
 * usage, and the housekeeping every node runs (renewing its reservations' leases, releasing dead nodes' expired
 * ones, rolling the ledger up). {@link #install} puts it in front of a server; {@link #close} flushes the ledger.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final Database db;
    private final Tenants tenants = new Tenants();
    private final Clock clock;
    private final Authenticator authenticator;
    private final Limiter limiter;
    private final Settlements settlements;
    private final Ledger ledger;
    private final Admin admin;
    private final GatewaySettings settings;
    private final ScheduledExecutorService housekeeping;

    private Gateway(Database db, GatewaySettings settings, Clock clock) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
        this.authenticator = new Authenticator(db, tenants, clock, settings.freshness());
        this.limiter = new Limiter(db, clock, settings.node(), settings.lease());
        this.settlements = new Settlements(limiter);
        this.ledger = new Ledger(db, clock, settings.ledger());
        this.admin = new Admin(db, tenants, new AuditLog(clock), ledger, clock, authenticator::forget);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "junction-gateway-housekeeping");
            t.setDaemon(true);
            return t;
        });
        long renew = Math.max(1, settings.lease().toMillis() / 3);
        every(renew, "renew leases", limiter::renewLeases);
        every(Math.min(renew, 5_000), "expire leases", limiter::expireLeases);
        every(3_600_000, "roll up usage", ledger::rollUp);
    }

    /** Opens (and migrates) the database and starts the housekeeping. */
    public static Gateway open(GatewaySettings settings, Clock clock) {
        Database db = Database.open(settings.database(), settings.maxConnections());
        try {
            return new Gateway(db, settings, Objects.requireNonNull(clock, "clock"));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /**
     * Adds the interceptor, the admin API and {@code GET /v1/usage} to a server about to start; spend is counted at
     * {@code pricing}.
     */
    public void install(OpenAiServer.Builder builder, Pricing pricing) {
        builder.interceptor(new GatewayInterceptor(authenticator, limiter, settlements, ledger, pricing, clock,
                settings.defaultMaxTokens()));
        new AdminApi(operations(), authenticator).install(builder);
        new UsageEndpoint(authenticator, db, ledger, limiter, clock).install(builder);
    }

    /**
     * Makes sure there is an instance administrator's key: {@code fromEnvironment} (JUNCTION_ADMIN_KEY) becomes it
     * when given; otherwise one is created on the first start. Returns the new secret to show once, if one was made.
     */
    public Optional<String> ensureInstanceKey(Optional<String> fromEnvironment) {
        if (fromEnvironment.isPresent()) {
            String secret = fromEnvironment.get().strip();
            if (!KeySecret.looksLikeKey(secret)) throw new IllegalArgumentException("JUNCTION_ADMIN_KEY must look "
                    + "like a Junction key: jk- followed by at least 16 characters.");
            db.useTransaction(h -> {
                boolean same = tenants.keyBySecret(h, secret).filter(k -> k.isInstance()).isPresent();
                if (!same) tenants.putInstanceKey(h, secret, clock.instant());
            });
            authenticator.forget();
            return Optional.empty();
        }
        return db.inTransaction(h -> {
            if (tenants.hasInstanceKey(h)) return Optional.<String>empty();
            String secret = KeySecret.generate();
            tenants.putInstanceKey(h, secret, clock.instant());
            return Optional.of(secret);
        });
    }

    /** Records in the audit log that the routing configuration was reloaded. */
    public void reloaded(Map<String, ?> detail) {
        admin.record(Actor.system(), "config.reload", "config", AuditEvent.detail(detail));
    }

    public Admin admin() {
        return admin;
    }

    /** The admin API's operations, for {@code junction admin} on the database directly. */
    public AdminOperations operations() {
        return new AdminOperations(admin, clock);
    }

    public Database database() {
        return db;
    }

    public Ledger ledger() {
        return ledger;
    }

    /** Shared state cells on the same database (the router's capacity contracts across nodes). */
    public SharedCells cells() {
        return new SharedCells(db);
    }

    private void every(long millis, String what, Runnable task) {
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("Gateway housekeeping ({}) failed: {}", what, e.toString());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the housekeeping, applies the queued settlements, writes the usage not yet written, closes the database. */
    @Override
    public void close() {
        housekeeping.shutdownNow();
        try {
            settlements.close();
            ledger.close();
        } finally {
            db.close();
        }
    }
}
