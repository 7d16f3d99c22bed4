package dev.junction.gateway.http;

import dev.junction.gateway.auth.Authenticator;
import dev.junction.gateway.auth.Caller;
import dev.junction.gateway.auth.Credentials;
import dev.junction.gateway.limit.Decision;
import dev.junction.gateway.limit.Limiter;
import dev.junction.gateway.limit.Pricing;
import dev.junction.gateway.limit.Reservation;
import dev.junction.gateway.limit.Settlements;
import dev.junction.gateway.tenant.LimitKind;
import dev.junction.gateway.usage.Ledger;
import dev.junction.gateway.usage.Outcome;
import dev.junction.gateway.usage.UsageRecord;
import dev.junction.inference.Usage;
import dev.junction.openai.ApiError;
import dev.junction.server.ApiCall;
import dev.junction.server.ApiException;
import dev.junction.server.ApiOutcome;
import dev.junction.server.RequestInterceptor;
import dev.junction.server.RequestShape;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The business edition on every {@code /v1} request, in three steps. {@link #onRequest}: the key must be known,
 * active ({@code 401 invalid_api_key} otherwise); the caller is shown only the key's models on {@code /v1/models}. {@link #onBody}: the model must be among the key's allowed ones
 * (403), and the key's and its organization's limits must admit the request's reservation — its prompt estimated
 * from the body's size plus {@code max_tokens} for every choice, and their price (429 with {@code Retry-After}
 * otherwise; {@code x-ratelimit-*} headers either way). {@link #onResponse}: the reservation is queued to settle with
 * the tokens really used ({@link Settlements}, off the request path) and the request goes into the usage ledger —
 * also when the client cut a stream or it failed midway.
 */
public final class GatewayInterceptor implements RequestInterceptor {
    static final String CALLER = "junction.gateway.caller";
    private static final String ADMISSION = "junction.gateway.admission";
    /** UTF-8 bytes per token assumed for the prompt before it is counted (settlement corrects it). */
    private static final int BYTES_PER_TOKEN = 4;
    /** How long a refusal for concurrency waits for this node's queued settlements before it stands. */
    private static final Duration SETTLEMENT_WAIT = Duration.ofSeconds(1);

    private final Authenticator authenticator;
    private final Limiter limiter;
    private final Settlements settlements;
    private final Ledger ledger;
    private final Pricing pricing;
    private final Clock clock;
    private final int defaultMaxTokens;

    /** @param defaultMaxTokens what a request that sets no {@code max_tokens} reserves per choice */
    public GatewayInterceptor(Authenticator authenticator, Limiter limiter, Settlements settlements, Ledger ledger,
                              Pricing pricing, Clock clock, int defaultMaxTokens) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.settlements = Objects.requireNonNull(settlements, "settlements");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.pricing = Objects.requireNonNull(pricing, "pricing");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.defaultMaxTokens = defaultMaxTokens;
    }

    /** The authenticated caller of a request (after {@link #onRequest}). */
    static Caller caller(ApiCall call) {
        return (Caller) call.attributes().get(CALLER);
    }

    @Override
    public void onRequest(ApiCall call) {
        Caller caller = authenticate(authenticator, call::header);
        call.attributes().put(CALLER, caller);
        call.restrictModels(caller.key()::allows); // /v1/models lists only the key's models
    }

    /** The caller a request's headers name, or the 401 it gets. */
    static Caller authenticate(Authenticator authenticator, java.util.function.Function<String, String> headers) {
        String secret = Credentials.secret(headers).orElseThrow(Refusals::noKey);
        return authenticator.authenticate(secret).orElseThrow(Refusals::badKey);
    }

    @Override
    public void onBody(ApiCall call) {
        Caller caller = caller(call);
        RequestShape shape = call.shape();
        if (!caller.key().allows(shape.model())) throw Refusals.modelNotAllowed(shape.model());
        long prompt = ceilDiv(shape.bodyBytes(), BYTES_PER_TOKEN);
        long completion = (long) shape.prompts() * shape.choices() * shape.maxTokens().orElse(defaultMaxTokens);
        long spend = pricing.reserveMicros(shape.model(), prompt, completion);
        Decision decision = limiter.admit(caller.subjects(), prompt + completion, spend);
        if (decision instanceof Decision.Refused r && r.kind() == LimitKind.MAX_CONCURRENT) {
            // the request that held the slot may have ended a moment ago, its settlement still queued
            try {
                settlements.flush(SETTLEMENT_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            decision = limiter.admit(caller.subjects(), prompt + completion, spend);
        }
        Instant now = clock.instant();
        RateLimitHeaders.write(call, decision.quotas(), now);
        switch (decision) {
            case Decision.Admitted a -> call.attributes().put(ADMISSION, new Admission(a.reservation(), now));
            case Decision.Refused r -> throw refusal(r);
        }
    }

    @Override
    public void onResponse(ApiCall call, ApiOutcome outcome) {
        if (!(call.attributes().get(ADMISSION) instanceof Admission admission)) return;
        Caller caller = caller(call);
        Usage usage = outcome.usage() == null ? new Usage(0, 0, 0) : outcome.usage();
        long price = pricing.chargeMicros(outcome.model(), outcome.supplier(), usage.promptTokens(),
                usage.completionTokens());
        try {
            settlements.submit(admission.reservation(), usage.totalTokens(), price);
        } finally {
            ledger.record(new UsageRecord(admission.at(), caller.key().organizationId(), caller.key().id(),
                    caller.key().userId(), outcome.model(), outcome.supplier() == null ? "" : outcome.supplier(),
                    usage.promptTokens(), usage.completionTokens(), usage.cachedTokens(),
                    outcome.timeToFirstToken() == null ? OptionalLong.empty()
                            : OptionalLong.of(outcome.timeToFirstToken().toMillis()),
                    outcome.duration().toMillis(), outcome(outcome), price));
        }
    }

    private static Outcome outcome(ApiOutcome o) {
        return switch (o.ending()) {
            case CLIENT_LEFT -> Outcome.CANCELLED;
            case FAILED -> Outcome.FAILED;
            case ANSWERED -> o.status() >= 400 ? Outcome.REJECTED : Outcome.OK;
        };
    }

    private static ApiException refusal(Decision.Refused r) {
        int retryAfter = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (r.retryAfter().toMillis() + 999) / 1000));
        String whose = r.subject().startsWith("org:") ? "organization" : "API key";
        String message = switch (r.kind()) {
            case RPM -> "Rate limit reached for requests: this " + whose + " may make " + r.limit()
                    + " requests per minute.";
            case TPM -> "Rate limit reached for tokens: this " + whose + " may use " + r.limit()
                    + " tokens per minute (a request reserves its prompt and max_tokens).";
            case MAX_CONCURRENT -> "Too many requests at once: this " + whose + " may have " + r.limit()
                    + " requests in flight.";
            case MONTHLY_TOKENS -> "You exceeded your current quota: this " + whose + " may use " + r.limit()
                    + " tokens per month.";
            case MONTHLY_SPEND -> "You exceeded your current quota: this " + whose + "'s monthly budget is spent.";
        };
        String code = r.isQuota() ? "insufficient_quota" : "rate_limit_exceeded";
        String type = r.isQuota() ? "insufficient_quota" : ApiError.RATE_LIMIT;
        return new ApiException(429, new ApiError(message, type, null, code), retryAfter);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private record Admission(Reservation reservation, Instant at) {
    }

    @Override
    public String toString() {
        return "gateway";
    }
}
