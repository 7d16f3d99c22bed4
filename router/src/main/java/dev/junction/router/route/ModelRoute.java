package dev.junction.router.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.inference.Usage;
import dev.junction.openai.CompletionUsage;
import dev.junction.router.capacity.Admission;
import dev.junction.router.capacity.Refusal;
import dev.junction.router.capacity.Reservation;
import dev.junction.router.health.Failure;
import dev.junction.router.health.Permit;
import dev.junction.router.health.RetryBudget;
import dev.junction.openai.relay.Endpoint;
import dev.junction.openai.relay.AnswerSink;
import dev.junction.router.remote.WireBodies;
import dev.junction.router.strategy.Candidate;
import dev.junction.router.strategy.RouteRequest;
import dev.junction.router.strategy.RoutingStrategy;
import dev.junction.router.upstream.UpstreamCall;
import dev.junction.router.upstream.UpstreamFailure;
import dev.junction.router.upstream.UpstreamListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Routes the requests of one public model over its deployments. {@link #route} runs on the request's own thread:
 * the strategy orders the usable deployments; the first that gives a breaker permit and a contract reservation is
 * called; a failure before anything reached the client is retried on the next one while the retry budget and the
 * request's deadline allow; once the answer has begun it is never replayed, and a failure ends it with an error
 * event. The permit and the reservation of every attempt are completed exactly once: success, failure,
 * rate-limited, or released.
 */
public final class ModelRoute {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRoute.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String model;
    private final List<Deployment> deployments;
    private final RoutingStrategy strategy;
    private final RetryBudget retries;
    private final InstantSource clock;
    private final Duration deadline;
    private final Counter retried;

    public ModelRoute(String model, List<Deployment> deployments, RoutingStrategy strategy, RetryBudget retries,
                      InstantSource clock, Duration deadline) {
        this(model, deployments, strategy, retries, clock, deadline, new SimpleMeterRegistry());
    }

    /** @param registry where the model's retries are counted ({@code junction_router_retries_total}) */
    public ModelRoute(String model, List<Deployment> deployments, RoutingStrategy strategy, RetryBudget retries,
                      InstantSource clock, Duration deadline, MeterRegistry registry) {
        this.retried = Counter.builder("junction.router.retries")
                .description("Requests tried again on another deployment after a failure before the answer")
                .tag("model", model).register(registry);
        this.model = model;
        this.deployments = List.copyOf(deployments);
        this.strategy = strategy;
        this.retries = retries;
        this.clock = clock;
        this.deadline = deadline;
    }

    /** What looking for a deployment found. */
    private sealed interface Choice {}

    /** One deployment admitted the request: its permit and reservation, to be completed by the attempt. */
    private record Admitted(Deployment deployment, Candidate candidate, Permit permit, Reservation reservation)
            implements Choice {}

    /** Every usable deployment is at its capacity: the soonest one frees after {@code retryAfter}. */
    private record AllFull(Duration retryAfter) implements Choice {}

    /** No deployment is usable (their breakers are open), or all were tried. */
    private record NoneUsable() implements Choice {}

    /** How one attempt went. */
    private enum Attempt { SERVED, FAILED_BEFORE_ANSWER, FAILED_DURING_ANSWER, REFUSED_BY_SUPPLIER }

    /** What an attempt learnt, for the outcome. */
    private static final class Progress {
        Usage usage;
        UpstreamFailure lastFailure;
    }

    public String model() {
        return model;
    }

    public List<Deployment> deployments() {
        return deployments;
    }

    public RoutingStrategy strategy() {
        return strategy;
    }

    public Duration deadline() {
        return deadline;
    }

    public RouteOutcome route(Endpoint endpoint, ObjectNode body, AnswerSink sink) throws InterruptedException {
        retries.recordRequest();
        RouteRequest request = routeRequest(body);
        boolean needsTools = WireBodies.usesTools(body);
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        Set<Integer> tried = new HashSet<>();
        Progress progress = new Progress();
        String last = null;
        for (int attempts = 1; ; attempts++) {
            Choice next = admit(request, needsTools, tried);
            if (!(next instanceof Admitted a)) {
                if (attempts == 1) refuse(sink, next);
                else failedEverywhere(sink, progress);
                return new RouteOutcome(Optional.ofNullable(last), attempts - 1, Optional.empty(), false);
            }
            tried.add(a.deployment().index);
            last = a.deployment().supplierName();
            sink.attempt(last, attempts);
            Attempt result = attempt(a, endpoint, body, request, sink, attempts, deadlineNanos, progress);
            switch (result) {
                case SERVED -> {
                    return new RouteOutcome(Optional.of(last), attempts, Optional.ofNullable(progress.usage), true);
                }
                case FAILED_DURING_ANSWER, REFUSED_BY_SUPPLIER -> {
                    return new RouteOutcome(Optional.of(last), attempts, Optional.ofNullable(progress.usage), false);
                }
                case FAILED_BEFORE_ANSWER -> {
                    // no retry is spent when no other deployment is left to try
                    if (System.nanoTime() >= deadlineNanos || untried(needsTools, tried).isEmpty()
                            || !retries.tryRetry()) {
                        failedEverywhere(sink, progress);
                        return new RouteOutcome(Optional.of(last), attempts, Optional.empty(), false);
                    }
                    retried.increment();
                }
            }
        }
    }

    /**
     * The first deployment, in the strategy's order, that gives a permit and a reservation; else why none did. A
     * request with {@code tools} goes only to deployments that can use them, unless none can (then one refuses it
     * with its own error).
     */
    private Choice admit(RouteRequest request, boolean needsTools, Set<Integer> tried) {
        List<Candidate> candidates = new ArrayList<>();
        for (Deployment d : untried(needsTools, tried)) d.candidate(clock).ifPresent(candidates::add);
        Optional<Duration> full = Optional.empty();
        boolean anyFull = false;
        for (Candidate c : strategy.order(request, candidates)) {
            Deployment d = deployments.get(c.index());
            Optional<Permit> permit = d.breaker.tryAcquire();
            if (permit.isEmpty()) continue;
            Admission admission = d.contract.tryReserve(request.promptTokens(), request.completionTokens());
            switch (admission) {
                case Reservation r -> {
                    strategy.recordRoute(request, c);
                    return new Admitted(d, c, permit.get(), r);
                }
                case Refusal refusal -> {
                    permit.get().released();
                    anyFull = true;
                    if (refusal.retryAfter().isPresent() && (full.isEmpty()
                            || refusal.retryAfter().get().compareTo(full.get()) < 0)) full = refusal.retryAfter();
                }
            }
        }
        return anyFull ? new AllFull(full.orElse(Duration.ofSeconds(1))) : new NoneUsable();
    }

    /** The deployments not tried yet that may take the request (only those that can use tools, if any can). */
    private List<Deployment> untried(boolean needsTools, Set<Integer> tried) {
        boolean toolsSomewhere = needsTools && deployments.stream().anyMatch(d -> d.supplier.canUseTools());
        return deployments.stream().filter(d -> !tried.contains(d.index)
                && !(toolsSomewhere && !d.supplier.canUseTools())).toList();
    }

    /** No attempt answered and no more will be made: 504 if the last one timed out, else 502. */
    private void failedEverywhere(AnswerSink sink, Progress progress) {
        sink.fail(progress.lastFailure instanceof UpstreamFailure.TimedOut ? 504 : 502, "upstream_error",
                "No supplier of model '" + model + "' could answer the request.", null);
    }

    /** Every deployment full (429 with the soonest Retry-After) or none usable (503). */
    private void refuse(AnswerSink sink, Choice none) {
        if (none instanceof AllFull(Duration retryAfter)) {
            sink.fail(429, "rate_limit_exceeded", "Every supplier of model '" + model + "' is at its capacity; "
                    + "retry after " + Math.max(1, retryAfter.toSeconds()) + " s.", retryAfter);
        } else {
            sink.fail(503, "service_unavailable", "No supplier of model '" + model + "' is available now.", null);
        }
    }

    private Attempt attempt(Admitted a, Endpoint endpoint, ObjectNode body, RouteRequest request, AnswerSink sink,
                            int attempts, long deadlineNanos, Progress progress) throws InterruptedException {
        Deployment d = a.deployment();
        boolean stream = WireBodies.streams(body);
        boolean clientWantsUsage = WireBodies.clientWantsStreamUsage(body);
        BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
        long start = System.nanoTime();
        d.inFlight.incrementAndGet();
        UpstreamCall call = d.client.send(d.supplier.request(endpoint, d.upstreamModel, body), new UpstreamListener() {
            @Override
            public void onEvent(String data) {
                arrivals.add(new Event(data));
            }

            @Override
            public void onComplete(byte[] answer) {
                arrivals.add(new Complete(answer));
            }

            @Override
            public void onFailure(UpstreamFailure failure) {
                arrivals.add(failure);
            }
        });
        boolean begun = false;
        int forwarded = 0;
        try {
            while (true) {
                Object m = arrivals.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m == null) {
                    call.cancel();
                    m = new UpstreamFailure.TimedOut(UpstreamFailure.TimedOut.Phase.TOTAL);
                }
                switch (m) {
                    case Event(String data) -> {
                        JsonNode chunk = readJson(data);
                        if (chunk == null) {
                            call.cancel();
                            return ended(d, failed(a, new UpstreamFailure.Malformed("a chunk that is not JSON"),
                                    begun, request, forwarded, sink, progress), start, progress);
                        }
                        WireBodies.usage(chunk).ifPresent(u -> progress.usage = u);
                        if (!clientWantsUsage && WireBodies.isUsageOnly(chunk)) continue;
                        if (!begun) {
                            firstByte(d, start);
                            sink.begin(d.supplierName(), attempts);
                            begun = true;
                        }
                        sink.event(data);
                        if (arrivals.isEmpty()) sink.flush(); // what already waits goes out with it
                        forwarded++;
                    }
                    case Complete(byte[] answer) -> {
                        if (!stream) {
                            JsonNode json = answer == null ? null : readJson(answer);
                            if (json == null || !json.isObject()) {
                                return ended(d, failed(a, new UpstreamFailure.Malformed("an answer that is not a "
                                        + "JSON object"), false, request, 0, sink, progress), start, progress);
                            }
                            WireBodies.usage(json).ifPresent(u -> progress.usage = u);
                            firstByte(d, start);
                            sink.begin(d.supplierName(), attempts);
                            begun = true;
                            sink.body(answer);
                        } else {
                            if (!begun) sink.begin(d.supplierName(), attempts);
                            begun = true;
                            sink.endStream();
                        }
                        a.permit().success();
                        a.reservation().settle(tokensUsed(progress.usage, request, forwarded));
                        reportUsage(sink, progress, request, forwarded);
                        ended(d, DeploymentMeters.Outcome.SUCCESS, start, progress);
                        return Attempt.SERVED;
                    }
                    case UpstreamFailure f -> {
                        return ended(d, failed(a, f, begun, request, forwarded, sink, progress), start, progress);
                    }
                    default -> throw new IllegalStateException("unexpected " + m);
                }
            }
        } catch (RuntimeException | InterruptedException clientGone) { // the sink failed: the client has left
            call.cancel();
            a.permit().released();
            if (begun) {
                a.reservation().settle(tokensUsed(progress.usage, request, forwarded));
                reportUsage(sink, progress, request, forwarded);
            } else {
                a.reservation().release();
            }
            ended(d, DeploymentMeters.Outcome.CLIENT_GONE, start, progress);
            throw clientGone;
        } finally {
            d.inFlight.decrementAndGet();
        }
    }

    private static void firstByte(Deployment d, long start) {
        long nanos = System.nanoTime() - start;
        d.latency.record(nanos);
        d.meters.firstToken(nanos);
    }

    private static Attempt ended(Deployment d, Attempt result, long start, Progress progress) {
        ended(d, switch (result) {
            case SERVED -> DeploymentMeters.Outcome.SUCCESS;
            case FAILED_BEFORE_ANSWER -> DeploymentMeters.Outcome.FAILED_BEFORE_ANSWER;
            case FAILED_DURING_ANSWER -> DeploymentMeters.Outcome.FAILED_DURING_ANSWER;
            case REFUSED_BY_SUPPLIER -> DeploymentMeters.Outcome.REFUSED;
        }, start, progress);
        return result;
    }

    /** Counts the attempt and meters what it consumed (nothing is known of a failure before the answer). */
    private static void ended(Deployment d, DeploymentMeters.Outcome outcome, long start, Progress progress) {
        d.meters.attempt(outcome, System.nanoTime() - start);
        if (progress.usage != null) d.meters.usage(progress.usage);
    }

    private record Event(String data) {}

    private record Complete(byte[] body) {}

    /** Completes the attempt's permit and reservation for a failure, and ends the answer if it had begun. */
    private Attempt failed(Admitted a, UpstreamFailure f, boolean begun, RouteRequest request, int forwarded,
                           AnswerSink sink, Progress progress) {
        Deployment d = a.deployment();
        progress.lastFailure = f;
        LOG.info("supplier {} failed for model {}: {}", d.supplierName(), model, f.describe());
        Attempt result = begun ? Attempt.FAILED_DURING_ANSWER : Attempt.FAILED_BEFORE_ANSWER;
        switch (f) {
            case UpstreamFailure.Status s when s.code() == 429 ->
                    a.permit().rateLimited(s.retryAfter() != null ? s.retryAfter() : Duration.ofSeconds(1));
            case UpstreamFailure.Status s when s.code() >= 500 -> a.permit().failure(Failure.SERVER_ERROR);
            case UpstreamFailure.Status s -> { // the request itself was refused: not the supplier's fault
                a.permit().success();
                result = Attempt.REFUSED_BY_SUPPLIER;
            }
            case UpstreamFailure.ConnectFailed c -> a.permit().failure(Failure.CONNECT);
            case UpstreamFailure.TimedOut t -> a.permit().failure(t.phase() == UpstreamFailure.TimedOut.Phase.IDLE
                    ? Failure.STALLED : Failure.TIMEOUT);
            case UpstreamFailure.Cut c -> a.permit().failure(!begun && c.events() == 0 ? Failure.CONNECT
                    : Failure.MALFORMED);
            case UpstreamFailure.Malformed m -> a.permit().failure(Failure.MALFORMED);
        }
        if (begun) {
            a.reservation().settle(tokensUsed(progress.usage, request, forwarded));
            reportUsage(sink, progress, request, forwarded);
        } else {
            a.reservation().release();
        }
        if (result == Attempt.REFUSED_BY_SUPPLIER) {
            UpstreamFailure.Status refusal = (UpstreamFailure.Status) f;
            JsonNode own = d.supplier.isLocal() ? readJson(refusal.excerpt()) : null;
            if (own != null && own.path("error").path("message").isTextual()) { // Junction's own words
                JsonNode error = own.path("error");
                sink.fail(refusal.code(), error.path("code").asText(null), error.path("message").textValue(), null);
            } else {
                sink.fail(refusal.code(), "upstream_refused", "The supplier refused the request (status "
                        + refusal.code() + ").", null);
            }
        } else if (begun) {
            sink.fail(502, "upstream_error", "The supplier of model '" + model + "' failed during the answer.", null);
        }
        return result;
    }

    /**
     * Tells the sink what an answer that began consumed: the supplier's own count when it sent one, else (a stream
     * cut by the client or the supplier before its usage chunk) the prompt estimate and one token per event passed
     * on — the tokens generated until then, as far as the router can know them.
     */
    private static void reportUsage(AnswerSink sink, Progress progress, RouteRequest request, int forwarded) {
        Usage u = progress.usage != null ? progress.usage : new Usage(request.promptTokens(), forwarded, 0);
        sink.usage(CompletionUsage.of(u.promptTokens(), u.completionTokens(), u.cachedTokens()));
    }

    /** The real count when the supplier reported it, else the prompt estimate and one token per event passed on. */
    private static int tokensUsed(Usage usage, RouteRequest request, int forwarded) {
        return usage != null ? usage.promptTokens() + usage.completionTokens() : request.promptTokens() + forwarded;
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode readJson(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    /** What the strategies need of a request: the prompt's text and size, and its max tokens. */
    static RouteRequest routeRequest(ObjectNode body) {
        StringBuilder text = new StringBuilder();
        JsonNode messages = body.path("messages");
        if (messages.isArray()) {
            List<RouteRequest.Turn> turns = new ArrayList<>();
            for (JsonNode m : messages) {
                turns.add(new RouteRequest.Turn(m.path("role").asText("user"), text(m.path("content"))));
            }
            text.append(RouteRequest.chatPrompt(turns));
        } else {
            text.append(text(body.path("prompt")));
        }
        JsonNode max = body.has("max_completion_tokens") ? body.path("max_completion_tokens")
                : body.path("max_tokens");
        OptionalInt maxTokens = max.canConvertToInt() && max.asInt() > 0 ? OptionalInt.of(max.asInt())
                : OptionalInt.empty();
        return new RouteRequest(body.path("model").asText(""), RouteRequest.estimateTokens(text), maxTokens,
                text.toString());
    }

    /** A content or prompt as text: a string, or the text parts of an array. */
    private static String text(JsonNode content) {
        if (content.isTextual()) return content.textValue();
        StringBuilder sb = new StringBuilder();
        if (content.isArray()) {
            for (JsonNode part : content) {
                if (part.isTextual()) sb.append(part.textValue());
                else sb.append(part.path("text").asText(""));
            }
        }
        return sb.toString();
    }
}
