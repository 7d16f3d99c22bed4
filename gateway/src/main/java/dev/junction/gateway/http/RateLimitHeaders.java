package dev.junction.gateway.http;

import dev.junction.gateway.limit.Quota;
import dev.junction.gateway.tenant.LimitKind;
import dev.junction.server.ApiCall;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * OpenAI's {@code x-ratelimit-*} headers, which the official SDKs read: for requests and for tokens, the tightest
 * per-minute limit among the key's and its organization's, what remains of it and when it resets ({@code 1s},
 * {@code 6m0s}).
 */
final class RateLimitHeaders {
    private RateLimitHeaders() {
    }

    static void write(ApiCall call, List<Quota> quotas, Instant now) {
        write(call, quotas, LimitKind.RPM, "requests", now);
        write(call, quotas, LimitKind.TPM, "tokens", now);
    }

    private static void write(ApiCall call, List<Quota> quotas, LimitKind kind, String what, Instant now) {
        quotas.stream().filter(q -> q.kind() == kind).min(Comparator.comparingLong(Quota::remaining)).ifPresent(q -> {
            call.setResponseHeader("x-ratelimit-limit-" + what, Long.toString(q.limit()));
            call.setResponseHeader("x-ratelimit-remaining-" + what, Long.toString(q.remaining()));
            call.setResponseHeader("x-ratelimit-reset-" + what, reset(Duration.between(now, q.resetsAt())));
        });
    }

    /** A duration as OpenAI writes it: {@code 250ms}, {@code 17s}, {@code 6m0s}, {@code 1h2m3s}. */
    static String reset(Duration d) {
        long millis = Math.max(0, d.toMillis());
        if (millis < 1000) return millis + "ms";
        long seconds = (millis + 999) / 1000;
        long h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60;
        if (h > 0) return h + "h" + m + "m" + s + "s";
        if (m > 0) return m + "m" + s + "s";
        return s + "s";
    }
}
