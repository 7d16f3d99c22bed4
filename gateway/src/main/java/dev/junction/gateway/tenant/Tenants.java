package dev.junction.gateway.tenant;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads and writes organizations, users and keys inside the caller's transaction (the admin API records the audit
 * entry in the same one). Checks nothing a caller must check (who may do what); the database enforces uniqueness and
 * references. Every read of a tenant's rows names the organization, so one organization's id never reaches
 * another's.
 */
public final class Tenants {
    private static final String LIMIT_COLUMNS = "rpm, tpm, max_concurrent, monthly_tokens, monthly_spend_micros";
    private static final String KEY_COLUMNS = "id, organization_id, user_id, name, role, prefix, models, "
            + LIMIT_COLUMNS + ", created_at, expires_at, revoked_at";

    public Organization createOrganization(Handle h, String name, Limits limits, Instant now) {
        Organization org = new Organization(Ids.next("org"), name, now, limits);
        bindLimits(h.createUpdate("INSERT INTO organizations (id, name, created_at, " + LIMIT_COLUMNS
                        + ") VALUES (:id, :name, :created_at, :rpm, :tpm, :max_concurrent, :monthly_tokens, "
                        + ":monthly_spend_micros)")
                .bind("id", org.id()).bind("name", name).bind("created_at", now.toEpochMilli()), limits)
                .execute();
        return org;
    }

    public List<Organization> organizations(Handle h) {
        return h.createQuery("SELECT id, name, created_at, " + LIMIT_COLUMNS + " FROM organizations ORDER BY created_at, id")
                .map(Tenants::readOrganization).list();
    }

    public Optional<Organization> organization(Handle h, String id) {
        return h.createQuery("SELECT id, name, created_at, " + LIMIT_COLUMNS + " FROM organizations WHERE id = :id")
                .bind("id", id).map(Tenants::readOrganization).findOne();
    }

    public Optional<Organization> organizationByName(Handle h, String name) {
        return h.createQuery("SELECT id, name, created_at, " + LIMIT_COLUMNS + " FROM organizations WHERE name = :name")
                .bind("name", name).map(Tenants::readOrganization).findOne();
    }

    public void updateOrganizationLimits(Handle h, String id, Limits limits) {
        bindLimits(h.createUpdate("UPDATE organizations SET rpm = :rpm, tpm = :tpm, max_concurrent = :max_concurrent, "
                + "monthly_tokens = :monthly_tokens, monthly_spend_micros = :monthly_spend_micros WHERE id = :id")
                .bind("id", id), limits).execute();
    }

    public User createUser(Handle h, String organizationId, String email, UserRole role, Instant now) {
        User user = new User(Ids.next("user"), organizationId, email, role, now);
        h.createUpdate("INSERT INTO users (id, organization_id, email, role, created_at) "
                        + "VALUES (:id, :org, :email, :role, :created_at)")
                .bind("id", user.id()).bind("org", organizationId).bind("email", email).bind("role", role.wire())
                .bind("created_at", now.toEpochMilli()).execute();
        return user;
    }

    public List<User> users(Handle h, String organizationId) {
        return h.createQuery("SELECT id, organization_id, email, role, created_at FROM users "
                        + "WHERE organization_id = :org ORDER BY created_at, id")
                .bind("org", organizationId)
                .map((rs, ctx) -> new User(rs.getString("id"), rs.getString("organization_id"), rs.getString("email"),
                        UserRole.parse(rs.getString("role")), Instant.ofEpochMilli(rs.getLong("created_at"))))
                .list();
    }

    public Optional<User> userByEmail(Handle h, String organizationId, String email) {
        return users(h, organizationId).stream().filter(u -> u.email().equals(email)).findFirst();
    }

    /** Creates a key of {@code organizationId} (empty: the instance key) with a fresh secret. */
    public IssuedKey createKey(Handle h, Optional<String> organizationId, String name, KeyRole role,
                               Optional<List<String>> models, Limits limits, Optional<Instant> expiresAt,
                               Instant now) {
        return insertKey(h, Ids.next("key"), KeySecret.generate(), organizationId, name, role, models, limits,
                expiresAt, now);
    }

    /**
     * Makes {@code secret} the instance administrator's key (from {@code JUNCTION_ADMIN_KEY}): stored under the
     * fixed id {@code key_instance}, replacing the hash a previous secret left there.
     */
    public ApiKey putInstanceKey(Handle h, String secret, Instant now) {
        h.createUpdate("DELETE FROM api_keys WHERE id = :id").bind("id", INSTANCE_KEY_ID).execute();
        return insertKey(h, INSTANCE_KEY_ID, secret, Optional.empty(), "instance administrator", KeyRole.INSTANCE,
                Optional.empty(), Limits.NONE, Optional.empty(), now).key();
    }

    public static final String INSTANCE_KEY_ID = "key_instance";

    /** Whether any instance administrator's key that is not revoked exists. */
    public boolean hasInstanceKey(Handle h) {
        return h.createQuery("SELECT COUNT(*) FROM api_keys WHERE role = 'instance' AND revoked_at IS NULL")
                .mapTo(Long.class).one() > 0;
    }

    private IssuedKey insertKey(Handle h, String id, String secret, Optional<String> organizationId, String name,
                                KeyRole role, Optional<List<String>> models, Limits limits,
                                Optional<Instant> expiresAt, Instant now) {
        ApiKey key = new ApiKey(id, organizationId, Optional.empty(), name, role, KeySecret.prefix(secret), models,
                limits, now, expiresAt, Optional.empty());
        bindLimits(h.createUpdate("INSERT INTO api_keys (id, organization_id, name, role, secret_hash, prefix, models, "
                        + LIMIT_COLUMNS + ", created_at, expires_at) VALUES (:id, :org, :name, :role, :hash, :prefix, "
                        + ":models, :rpm, :tpm, :max_concurrent, :monthly_tokens, :monthly_spend_micros, :created_at, "
                        + ":expires_at)")
                .bind("id", id).bind("org", organizationId.orElse(null)).bind("name", name)
                .bind("role", role.wire()).bind("hash", KeySecret.hash(secret)).bind("prefix", key.prefix())
                .bind("models", models.map(m -> String.join("\n", m)).orElse(null))
                .bind("created_at", now.toEpochMilli())
                .bind("expires_at", expiresAt.map(Instant::toEpochMilli).orElse(null)), limits)
                .execute();
        return new IssuedKey(key, secret);
    }

    /** The key whose secret is {@code secret}, revoked or not; empty when there is none. */
    public Optional<ApiKey> keyBySecret(Handle h, String secret) {
        String hash = KeySecret.hash(secret);
        return h.createQuery("SELECT " + KEY_COLUMNS + ", secret_hash FROM api_keys WHERE secret_hash = :hash")
                .bind("hash", hash)
                .map((rs, ctx) -> KeySecret.sameHash(hash, rs.getString("secret_hash")) ? readKey(rs, ctx) : null)
                .findOne();
    }

    public Optional<ApiKey> key(Handle h, String id) {
        return h.createQuery("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE id = :id").bind("id", id)
                .map(Tenants::readKey).findOne();
    }

    public List<ApiKey> keys(Handle h, String organizationId) {
        return h.createQuery("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE organization_id = :org "
                        + "ORDER BY created_at, id")
                .bind("org", organizationId).map(Tenants::readKey).list();
    }

    /** Writes a key's name, models, limits and expiry (its secret, organization and role never change). */
    public void updateKey(Handle h, ApiKey key) {
        bindLimits(h.createUpdate("UPDATE api_keys SET name = :name, models = :models, rpm = :rpm, tpm = :tpm, "
                        + "max_concurrent = :max_concurrent, monthly_tokens = :monthly_tokens, "
                        + "monthly_spend_micros = :monthly_spend_micros, expires_at = :expires_at WHERE id = :id")
                .bind("id", key.id()).bind("name", key.name())
                .bind("models", key.models().map(m -> String.join("\n", m)).orElse(null))
                .bind("expires_at", key.expiresAt().map(Instant::toEpochMilli).orElse(null)), key.limits())
                .execute();
    }

    /** Revokes key {@code id} at {@code now}; false when it was already revoked or does not exist. */
    public boolean revokeKey(Handle h, String id, Instant now) {
        return h.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("id", id).bind("now", now.toEpochMilli()).execute() == 1;
    }

    private static <S extends SqlStatement<S>> S bindLimits(S statement, Limits limits) {
        for (LimitKind kind : LimitKind.values()) {
            OptionalLong v = limits.get(kind);
            statement.bind(kind.column(), v.isPresent() ? (Long) v.getAsLong() : null);
        }
        return statement;
    }

    private static Limits limits(ResultSet rs) throws SQLException {
        Limits limits = Limits.NONE;
        for (LimitKind kind : LimitKind.values()) {
            long v = rs.getLong(kind.column());
            if (!rs.wasNull()) limits = limits.with(kind, v);
        }
        return limits;
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
    }

    private static Organization readOrganization(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Organization(rs.getString("id"), rs.getString("name"),
                Instant.ofEpochMilli(rs.getLong("created_at")), limits(rs));
    }

    private static ApiKey readKey(ResultSet rs, StatementContext ctx) throws SQLException {
        String models = rs.getString("models");
        return new ApiKey(rs.getString("id"), Optional.ofNullable(rs.getString("organization_id")),
                Optional.ofNullable(rs.getString("user_id")), rs.getString("name"),
                KeyRole.fromColumn(rs.getString("role")), rs.getString("prefix"),
                models == null ? Optional.empty()
                        : Optional.of(models.isEmpty() ? List.of() : Arrays.asList(models.split("\n"))),
                limits(rs), Instant.ofEpochMilli(rs.getLong("created_at")), instant(rs, "expires_at"),
                instant(rs, "revoked_at"));
    }
}
