package dev.junction.gateway.http;

import dev.junction.gateway.admin.Actor;
import dev.junction.gateway.admin.Admin;
import dev.junction.gateway.admin.AdminException;
import dev.junction.gateway.audit.AuditVerification;
import dev.junction.gateway.tenant.KeyRole;
import dev.junction.gateway.tenant.Limits;
import dev.junction.gateway.tenant.UserRole;
import dev.junction.gateway.usage.GroupBy;
import dev.junction.gateway.usage.UsageQuery;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The admin API's operations on raw input (a JSON body, query parameters) and JSON-ready output, for the REST
 * routes ({@link AdminApi}) and for {@code junction admin} on the database directly alike, so both read input and
 * answer the same way. Refusals are {@link AdminException}s naming the field at fault.
 */
public final class AdminOperations {
    private static final Set<String> LIMIT_FIELDS = Set.of("rpm", "tpm", "max_concurrent", "monthly_tokens",
            "monthly_spend");
    private static final int MAX_AUDIT_ENTRIES = 10_000;

    private final Admin admin;
    private final Clock clock;

    public AdminOperations(Admin admin, Clock clock) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Map<String, Object> createOrganization(Actor actor, byte[] body) {
        AdminInput in = AdminInput.of(body, with(LIMIT_FIELDS, "name"));
        return AdminJson.organization(admin.createOrganization(actor, in.requiredText("name"), in.limits(Limits.NONE)));
    }

    public Map<String, Object> organizations(Actor actor) {
        return AdminJson.list(admin.organizations(actor).stream().map(AdminJson::organization).toList());
    }

    public Map<String, Object> organization(Actor actor, String id) {
        return AdminJson.organization(admin.organization(actor, id));
    }

    public Map<String, Object> updateOrganization(Actor actor, String id, byte[] body) {
        AdminInput in = AdminInput.of(body, LIMIT_FIELDS);
        return AdminJson.organization(admin.updateOrganization(actor, id, in::limits));
    }

    public Map<String, Object> createKey(Actor actor, String organizationId, byte[] body) {
        AdminInput in = AdminInput.of(body, with(LIMIT_FIELDS, "name", "role", "models", "expires_at"));
        KeyRole role = in.text("role").map(AdminOperations::keyRole).orElse(KeyRole.MEMBER);
        var spec = new Admin.KeySpec(in.requiredText("name"), role, in.models("models"), in.limits(Limits.NONE),
                in.epochSeconds("expires_at"));
        return AdminJson.issued(admin.createKey(actor, organizationId, spec));
    }

    public Map<String, Object> keys(Actor actor, String organizationId) {
        return AdminJson.list(admin.keys(actor, organizationId).stream().map(AdminJson::key).toList());
    }

    public Map<String, Object> key(Actor actor, String id) {
        return AdminJson.key(admin.key(actor, id));
    }

    public Map<String, Object> updateKey(Actor actor, String id, byte[] body) {
        AdminInput in = AdminInput.of(body, with(LIMIT_FIELDS, "name", "models", "expires_at"));
        Optional<String> name = in.text("name");
        if (in.has("name") && name.isEmpty()) throw AdminException.invalid("name", "'name' must not be null.");
        Optional<Optional<List<String>>> models = in.has("models") ? Optional.of(in.models("models"))
                : Optional.empty();
        Optional<Optional<Instant>> expires = in.has("expires_at") ? Optional.of(in.epochSeconds("expires_at"))
                : Optional.empty();
        return AdminJson.key(admin.updateKey(actor, id, key -> {
            var k = key.withLimits(in.limits(key.limits()));
            if (name.isPresent()) k = k.withName(name.get());
            if (models.isPresent()) k = k.withModels(models.get());
            if (expires.isPresent()) k = k.withExpiresAt(expires.get());
            return k;
        }));
    }

    public Map<String, Object> revokeKey(Actor actor, String id) {
        return AdminJson.key(admin.revokeKey(actor, id));
    }

    public Map<String, Object> createUser(Actor actor, String organizationId, byte[] body) {
        AdminInput in = AdminInput.of(body, Set.of("email", "role"));
        UserRole role = in.text("role").map(AdminOperations::userRole).orElse(UserRole.MEMBER);
        return AdminJson.user(admin.createUser(actor, organizationId, in.requiredText("email"), role));
    }

    public Map<String, Object> users(Actor actor, String organizationId) {
        return AdminJson.list(admin.users(actor, organizationId).stream().map(AdminJson::user).toList());
    }

    /** {@code organization}, {@code key}, {@code since}, {@code until}, {@code group_by} of a query string. */
    public Map<String, Object> usage(Actor actor, Function<String, String> query) {
        Window w = window(query);
        GroupBy by = groupBy(query.apply("group_by"));
        var q = new UsageQuery(optional(query.apply("organization")), optional(query.apply("key")), w.since(),
                w.until(), by);
        return AdminJson.usage(admin.usage(actor, q), by.wire(), w.since(), w.until());
    }

    /** {@code organization}, {@code since}, {@code until} of a query string. */
    public Map<String, Object> audit(Actor actor, Function<String, String> query) {
        Window w = window(query);
        return AdminJson.list(admin.audit(actor, optional(query.apply("organization")), w.since(), w.until(),
                MAX_AUDIT_ENTRIES).stream().map(AdminJson::audit).toList());
    }

    public Map<String, Object> verifyAudit(Actor actor) {
        AuditVerification v = admin.verifyAudit(actor);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "audit_verification");
        out.put("intact", v.intact());
        out.put("entries", v.entries());
        out.put("problems", v.problems().stream().map(p -> p.what()).toList());
        out.put("head", v.head().map(Object::toString).orElse(null));
        return out;
    }

    private record Window(Instant since, Instant until) {
    }

    /** {@code since} (default: the start of this month) and {@code until} (default: now). */
    private Window window(Function<String, String> query) {
        Instant now = clock.instant();
        Instant monthStart = now.atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        Instant since = AdminInput.time("since", query.apply("since")).orElse(monthStart);
        Instant until = AdminInput.time("until", query.apply("until")).orElse(now.plusMillis(1));
        if (until.isBefore(since)) throw AdminException.invalid("until", "'until' is before 'since'.");
        return new Window(since, until);
    }

    private static GroupBy groupBy(String text) {
        if (text == null || text.isBlank()) return GroupBy.DAY;
        try {
            return GroupBy.parse(text);
        } catch (IllegalArgumentException e) {
            throw AdminException.invalid("group_by", "'group_by' must be day, model, key or supplier.");
        }
    }

    private static KeyRole keyRole(String text) {
        try {
            return KeyRole.parseOrganizationRole(text);
        } catch (IllegalArgumentException e) {
            throw AdminException.invalid("role", "'role' must be member or admin.");
        }
    }

    private static UserRole userRole(String text) {
        try {
            return UserRole.parse(text);
        } catch (IllegalArgumentException e) {
            throw AdminException.invalid("role", "'role' must be owner, admin, member or viewer.");
        }
    }

    private static Optional<String> optional(String text) {
        return text == null || text.isBlank() ? Optional.empty() : Optional.of(text.strip());
    }

    private static Set<String> with(Set<String> base, String... more) {
        var out = new HashSet<>(base);
        out.addAll(List.of(more));
        return Set.copyOf(out);
    }
}
