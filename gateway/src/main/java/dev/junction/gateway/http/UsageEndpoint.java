package dev.junction.gateway.http;

import dev.junction.gateway.auth.Authenticator;
import dev.junction.gateway.auth.Caller;
import dev.junction.gateway.db.Database;
import dev.junction.gateway.limit.Limiter;
import dev.junction.gateway.limit.Quota;
import dev.junction.gateway.usage.Ledger;
import dev.junction.openai.OpenAiJson;
import dev.junction.server.OpenAiServer;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Self-service for any key, {@code GET /v1/usage}: the calling key's and its organization's use this calendar month
 * (from the ledger, up to its flush interval behind) and what is left of each of their limits (exact, from the
 * limit counters).
 */
public final class UsageEndpoint {
    private final Authenticator authenticator;
    private final Database db;
    private final Ledger ledger;
    private final Limiter limiter;
    private final Clock clock;

    public UsageEndpoint(Authenticator authenticator, Database db, Ledger ledger, Limiter limiter, Clock clock) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.db = Objects.requireNonNull(db, "db");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void install(OpenAiServer.Builder b) {
        b.route(HandlerType.GET, "/v1/usage", this::serve);
    }

    private void serve(Context ctx) {
        Caller caller = GatewayInterceptor.authenticate(authenticator, ctx::header);
        Instant now = clock.instant();
        Instant monthStart = now.atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        Instant until = now.plusMillis(1);
        List<Quota> quotas = limiter.standing(caller.subjects());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "usage");
        out.put("period_start", monthStart.getEpochSecond());
        Optional<String> org = caller.key().organizationId();
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("id", caller.key().id());
        key.put("this_month", AdminJson.totals(db.withHandle(h ->
                ledger.totals(h, org, Optional.of(caller.key().id()), monthStart, until))));
        key.put("limits", AdminJson.quotas(of(quotas, "key:" + caller.key().id())));
        out.put("key", key);
        caller.organization().ifPresent(o -> {
            Map<String, Object> organization = new LinkedHashMap<>();
            organization.put("id", o.id());
            organization.put("name", o.name());
            organization.put("this_month", AdminJson.totals(db.withHandle(h ->
                    ledger.totals(h, Optional.of(o.id()), Optional.empty(), monthStart, until))));
            organization.put("limits", AdminJson.quotas(of(quotas, "org:" + o.id())));
            out.put("organization", organization);
        });
        ctx.status(200).contentType("application/json").result(OpenAiJson.write(out));
    }

    private static List<Quota> of(List<Quota> quotas, String subject) {
        return quotas.stream().filter(q -> q.subject().equals(subject)).toList();
    }
}
