package dev.junction.gateway.admin;

import dev.junction.gateway.audit.AuditEntry;
import dev.junction.gateway.audit.AuditEvent;
import dev.junction.gateway.audit.AuditLog;
import dev.junction.gateway.audit.AuditVerification;
import dev.junction.gateway.db.Database;
import dev.junction.gateway.tenant.ApiKey;
import dev.junction.gateway.tenant.IssuedKey;
import dev.junction.gateway.tenant.KeyRole;
import dev.junction.gateway.tenant.Limits;
import dev.junction.gateway.tenant.Organization;
import dev.junction.gateway.tenant.Tenants;
import dev.junction.gateway.tenant.User;
import dev.junction.gateway.tenant.UserRole;
import dev.junction.gateway.usage.Ledger;
import dev.junction.gateway.usage.UsageQuery;
import dev.junction.gateway.usage.UsageReport;
import org.jdbi.v3.core.Handle;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Every administration operation: each one transaction that also appends its audit entry, so a change and its
 * record commit together or not at all. An organization's admin key acts only on its own organization; anything of
 * another organization is {@link AdminException.Kind#NOT_FOUND} to it, exactly as if it did not exist.
 */
public final class Admin {
    private final Database db;
    private final Tenants tenants;
    private final AuditLog audit;
    private final Ledger ledger;
    private final Clock clock;
    private final Runnable changed;

    /** @param changed runs after every committed change (the authenticator forgets what it remembered) */
    public Admin(Database db, Tenants tenants, AuditLog audit, Ledger ledger, Clock clock, Runnable changed) {
        this.db = Objects.requireNonNull(db, "db");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.changed = Objects.requireNonNull(changed, "changed");
    }

    public Organization createOrganization(Actor actor, String name, Limits limits) {
        if (!actor.isInstance()) throw AdminException.forbidden("Only the instance administrator creates organizations.");
        String n = Checks.name("name", name);
        Checks.limits(limits);
        return change(h -> {
            if (tenants.organizationByName(h, n).isPresent()) {
                throw AdminException.conflict("name", "An organization named '" + n + "' exists already.");
            }
            Organization org = tenants.createOrganization(h, n, limits, clock.instant());
            record(h, actor, Optional.of(org.id()), "organization.create", org.id(), detail(Map.of("name", n), limits));
            return org;
        });
    }

    /** The organizations the actor sees: all for the instance administrator, its own for an organization's key. */
    public List<Organization> organizations(Actor actor) {
        requireAdmin(actor);
        return db.withHandle(h -> actor.isInstance() ? tenants.organizations(h)
                : actor.organizationId().flatMap(id -> tenants.organization(h, id)).stream().toList());
    }

    public Organization organization(Actor actor, String id) {
        requireAdmin(actor);
        return db.withHandle(h -> visibleOrganization(h, actor, id));
    }

    /** Changes an organization's limits ({@code change} applied to the limits it has now). */
    public Organization updateOrganization(Actor actor, String id, UnaryOperator<Limits> change) {
        requireAdmin(actor);
        return change(h -> {
            Organization before = visibleOrganization(h, actor, id);
            Limits after = Checks.limits(change.apply(before.limits()));
            tenants.updateOrganizationLimits(h, id, after);
            record(h, actor, Optional.of(id), "organization.update", id, detail(Map.of(), after));
            return before.withLimits(after);
        });
    }

    public record KeySpec(String name, KeyRole role, Optional<List<String>> models, Limits limits,
                          Optional<Instant> expiresAt) {
        public KeySpec {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(models, "models");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    /** Issues a key of organization {@code organizationId}; its secret is in the result and nowhere else. */
    public IssuedKey createKey(Actor actor, String organizationId, KeySpec spec) {
        requireAdmin(actor);
        String name = Checks.name("name", spec.name());
        if (spec.role() == KeyRole.INSTANCE) throw AdminException.invalid("role", "'role' must be member or admin.");
        Optional<List<String>> models = spec.models().map(m -> Checks.models("models", m));
        Checks.limits(spec.limits());
        Instant now = clock.instant();
        Optional<Instant> expires = Checks.expiry("expires_at", spec.expiresAt(), now);
        return change(h -> {
            visibleOrganization(h, actor, organizationId);
            IssuedKey issued = tenants.createKey(h, Optional.of(organizationId), name, spec.role(), models,
                    spec.limits(), expires, now);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", name);
            d.put("role", spec.role().wire());
            models.ifPresent(m -> d.put("models", m));
            expires.ifPresent(e -> d.put("expires_at", e.getEpochSecond()));
            record(h, actor, Optional.of(organizationId), "key.create", issued.key().id(), detail(d, spec.limits()));
            return issued;
        });
    }

    public List<ApiKey> keys(Actor actor, String organizationId) {
        requireAdmin(actor);
        return db.withHandle(h -> {
            visibleOrganization(h, actor, organizationId);
            return tenants.keys(h, organizationId);
        });
    }

    public ApiKey key(Actor actor, String id) {
        requireAdmin(actor);
        return db.withHandle(h -> visibleKey(h, actor, id));
    }

    /** Changes a key's name, models, limits or expiry ({@code change} applied to the key as it is now). */
    public ApiKey updateKey(Actor actor, String id, UnaryOperator<ApiKey> change) {
        requireAdmin(actor);
        Instant now = clock.instant();
        return change(h -> {
            ApiKey before = visibleKey(h, actor, id);
            ApiKey after = change.apply(before);
            Checks.name("name", after.name());
            after.models().ifPresent(m -> Checks.models("models", m));
            Checks.limits(after.limits());
            if (!after.expiresAt().equals(before.expiresAt())) Checks.expiry("expires_at", after.expiresAt(), now);
            tenants.updateKey(h, after);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", after.name());
            after.models().ifPresent(m -> d.put("models", m));
            after.expiresAt().ifPresent(e -> d.put("expires_at", e.getEpochSecond()));
            record(h, actor, after.organizationId(), "key.update", id, detail(d, after.limits()));
            return after;
        });
    }

    /** Revokes a key: refused on every node within a second. Revoking a revoked key changes nothing. */
    public ApiKey revokeKey(Actor actor, String id) {
        requireAdmin(actor);
        Instant now = clock.instant();
        return change(h -> {
            ApiKey key = visibleKey(h, actor, id);
            if (key.isInstance()) throw AdminException.forbidden("The instance administrator's key is not revoked "
                    + "here: set another JUNCTION_ADMIN_KEY and restart.");
            if (tenants.revokeKey(h, id, now)) {
                record(h, actor, key.organizationId(), "key.revoke", id, AuditEvent.detail(Map.of("name", key.name())));
            }
            return tenants.key(h, id).orElseThrow();
        });
    }

    public User createUser(Actor actor, String organizationId, String email, UserRole role) {
        requireAdmin(actor);
        String e = Checks.email("email", email);
        Objects.requireNonNull(role, "role");
        return change(h -> {
            visibleOrganization(h, actor, organizationId);
            if (tenants.userByEmail(h, organizationId, e).isPresent()) {
                throw AdminException.conflict("email", "A user with this email exists in the organization already.");
            }
            User user = tenants.createUser(h, organizationId, e, role, clock.instant());
            record(h, actor, Optional.of(organizationId), "user.create", user.id(),
                    AuditEvent.detail(Map.of("email", e, "role", role.wire())));
            return user;
        });
    }

    public List<User> users(Actor actor, String organizationId) {
        requireAdmin(actor);
        return db.withHandle(h -> {
            visibleOrganization(h, actor, organizationId);
            return tenants.users(h, organizationId);
        });
    }

    /**
     * Usage over {@code [since, until)}: of one organization, or (the instance administrator, organization empty)
     * of all. An organization's key reads only its own, whatever it names.
     */
    public UsageReport usage(Actor actor, UsageQuery query) {
        requireAdmin(actor);
        UsageQuery q = new UsageQuery(scoped(actor, query.organizationId()), query.keyId(), query.since(),
                query.until(), query.groupBy());
        return db.withHandle(h -> {
            q.organizationId().ifPresent(id -> visibleOrganization(h, actor, id));
            q.keyId().ifPresent(id -> visibleKey(h, actor, id));
            return ledger.report(h, q);
        });
    }

    public List<AuditEntry> audit(Actor actor, Optional<String> organizationId, Instant since, Instant until,
                                  int limit) {
        requireAdmin(actor);
        Optional<String> org = actor.isInstance() ? organizationId : actor.organizationId();
        return db.withHandle(h -> {
            organizationId.ifPresent(id -> visibleOrganization(h, actor, id));
            return audit.entries(h, org, since, until, limit);
        });
    }

    /** Checks the whole audit chain (the instance administrator only: it spans every organization). */
    public AuditVerification verifyAudit(Actor actor) {
        if (!actor.isInstance()) throw AdminException.forbidden("Only the instance administrator verifies the audit log.");
        return db.withHandle(audit::verify);
    }

    /** Records a change made elsewhere (a configuration reload) in the audit log. */
    public void record(Actor actor, String action, String target, String detail) {
        db.useTransaction(h -> audit.append(h, new AuditEvent(Optional.empty(), actor.id(), action, target, detail,
                actor.source())));
    }

    /** The organization a report covers: what the instance administrator names, an organization's key its own. */
    private static Optional<String> scoped(Actor actor, Optional<String> named) {
        if (actor.isInstance()) return named;
        String own = actor.organizationId().orElseThrow();
        if (named.isPresent() && !named.get().equals(own)) throw AdminException.notFound("organization", named.get());
        return Optional.of(own);
    }

    private <R> R change(java.util.function.Function<Handle, R> work) {
        R result = db.inTransaction(work);
        changed.run();
        return result;
    }

    private void record(Handle h, Actor actor, Optional<String> organizationId, String action, String target,
                        String detail) {
        audit.append(h, new AuditEvent(organizationId, actor.id(), action, target, detail, actor.source()));
    }

    private static String detail(Map<String, ?> fields, Limits limits) {
        Map<String, Object> d = new LinkedHashMap<>(fields);
        limits.set().forEach((k, v) -> d.put(k.field(), v));
        return AuditEvent.detail(d);
    }

    private static void requireAdmin(Actor actor) {
        if (actor.caller().map(c -> !c.isAdmin()).orElse(false)) {
            throw AdminException.forbidden("This API key is not an administrator's key.");
        }
    }

    private Organization visibleOrganization(Handle h, Actor actor, String id) {
        if (id == null || !actor.manages(id)) throw AdminException.notFound("organization", String.valueOf(id));
        return tenants.organization(h, id).orElseThrow(() -> AdminException.notFound("organization", id));
    }

    private ApiKey visibleKey(Handle h, Actor actor, String id) {
        Optional<ApiKey> key = tenants.key(h, id);
        boolean visible = key.isPresent() && (actor.isInstance()
                || key.get().organizationId().map(actor::manages).orElse(false));
        if (!visible) throw AdminException.notFound("key", id);
        return key.get();
    }
}
