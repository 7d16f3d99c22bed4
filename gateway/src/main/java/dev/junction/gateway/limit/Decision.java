package dev.junction.gateway.limit;

import dev.junction.gateway.tenant.LimitKind;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** The answer to an admission: admitted with a reservation to settle, or refused by one limit. */
public sealed interface Decision {
    /** The per-minute quotas after this decision (for the response's {@code x-ratelimit-*} headers). */
    List<Quota> quotas();

    record Admitted(Reservation reservation, List<Quota> quotas) implements Decision {
        public Admitted {
            Objects.requireNonNull(reservation, "reservation");
            quotas = List.copyOf(quotas);
        }
    }

    /**
     * @param subject    whose limit it was ({@code key:…} or {@code org:…})
     * @param retryAfter when the window that refused starts anew (a concurrency refusal: one second)
     */
    record Refused(LimitKind kind, String subject, long limit, Duration retryAfter, List<Quota> quotas)
            implements Decision {
        public Refused {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(retryAfter, "retryAfter");
            quotas = List.copyOf(quotas);
        }

        /** Monthly limits are a quota used up (OpenAI's {@code insufficient_quota}), the others a rate. */
        public boolean isQuota() {
            return kind == LimitKind.MONTHLY_TOKENS || kind == LimitKind.MONTHLY_SPEND;
        }
    }
}
