package dev.junction.gateway.http;

import dev.junction.gateway.audit.AuditEntry;
import dev.junction.gateway.limit.Quota;
import dev.junction.gateway.tenant.ApiKey;
import dev.junction.gateway.tenant.IssuedKey;
import dev.junction.gateway.tenant.LimitKind;
import dev.junction.gateway.tenant.Limits;
import dev.junction.gateway.tenant.Organization;
import dev.junction.gateway.tenant.User;
import dev.junction.gateway.usage.UsageReport;
import dev.junction.gateway.usage.UsageRow;
import dev.junction.gateway.usage.UsageTotals;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The admin API's JSON: records as maps in a stable field order; times in Unix seconds; money in units. */
public final class AdminJson {
    private AdminJson() {
    }

    public static Map<String, Object> list(List<?> data) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("data", data);
        return out;
    }

    public static Map<String, Object> organization(Organization o) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", o.id());
        out.put("object", "organization");
        out.put("name", o.name());
        out.put("created_at", o.createdAt().getEpochSecond());
        limits(out, o.limits());
        return out;
    }

    public static Map<String, Object> key(ApiKey k) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", k.id());
        out.put("object", "api_key");
        out.put("name", k.name());
        out.put("prefix", k.prefix());
        out.put("organization", k.organizationId().orElse(null));
        out.put("role", k.role().wire());
        out.put("models", k.models().orElse(null));
        limits(out, k.limits());
        out.put("created_at", k.createdAt().getEpochSecond());
        out.put("expires_at", seconds(k.expiresAt()));
        out.put("revoked_at", seconds(k.revokedAt()));
        return out;
    }

    /** A new key with its secret: the only answer that ever holds it. */
    public static Map<String, Object> issued(IssuedKey issued) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", issued.key().id());
        out.put("key", issued.secret());
        out.putAll(key(issued.key()));
        return out;
    }

    public static Map<String, Object> user(User u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", u.id());
        out.put("object", "user");
        out.put("organization", u.organizationId());
        out.put("email", u.email());
        out.put("role", u.role().wire());
        out.put("created_at", u.createdAt().getEpochSecond());
        return out;
    }

    public static Map<String, Object> usage(UsageReport report, String groupBy, Instant since, Instant until) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "usage_report");
        out.put("group_by", groupBy);
        out.put("since", since.getEpochSecond());
        out.put("until", until.getEpochSecond());
        out.put("rows", report.rows().stream().map(AdminJson::row).toList());
        out.put("totals", totals(report.totals()));
        return out;
    }

    private static Map<String, Object> row(UsageRow r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("group", r.group());
        out.putAll(totals(r.totals()));
        return out;
    }

    public static Map<String, Object> totals(UsageTotals t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requests", t.requests());
        out.put("prompt_tokens", t.promptTokens());
        out.put("completion_tokens", t.completionTokens());
        out.put("cached_tokens", t.cachedTokens());
        out.put("total_tokens", t.promptTokens() + t.completionTokens());
        out.put("spend", t.spendMicros() / 1e6);
        return out;
    }

    public static Map<String, Object> audit(AuditEntry e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seq", e.seq());
        out.put("at", e.at().toString());
        out.put("organization", e.organizationId().orElse(null));
        out.put("actor", e.actor());
        out.put("action", e.action());
        out.put("target", e.target());
        out.put("detail", e.detail());
        out.put("source", e.source());
        out.put("hash", e.hash());
        return out;
    }

    /** What is left of each limit, by its field name. */
    public static Map<String, Object> quotas(List<Quota> quotas) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Quota q : quotas) {
            Map<String, Object> one = new LinkedHashMap<>();
            boolean money = q.kind() == LimitKind.MONTHLY_SPEND;
            one.put("limit", amount(money, q.limit()));
            one.put("used", amount(money, q.used()));
            one.put("remaining", amount(money, q.remaining()));
            one.put("resets_at", q.resetsAt().getEpochSecond());
            out.put(q.kind().field(), one);
        }
        return out;
    }

    private static void limits(Map<String, Object> out, Limits limits) {
        for (LimitKind kind : LimitKind.values()) {
            var v = limits.get(kind);
            out.put(kind.field(), v.isEmpty() ? null : amount(kind == LimitKind.MONTHLY_SPEND, v.getAsLong()));
        }
    }

    /** Money (micro-units) in units; counts as they are. */
    private static Object amount(boolean money, long value) {
        if (money) return value / 1e6;
        return value;
    }

    private static Long seconds(Optional<Instant> t) {
        return t.map(Instant::getEpochSecond).orElse(null);
    }
}
