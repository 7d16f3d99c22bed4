package dev.junction.router.upstream;

import dev.junction.router.config.Timeouts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call to an upstream in flight: reads the answer as it arrives (an event stream event by event, anything else
 * whole), keeps its {@link Timeouts}, and ends exactly once — {@link UpstreamListener#onComplete},
 * {@link UpstreamListener#onFailure}, or silently after {@link #cancel}. A stream is complete only with its
 * {@code [DONE]}: one that ends without it is {@link UpstreamFailure.Cut}, never a quiet truncation.
 */
public final class UpstreamCall {
    static final int MAX_LINE_BYTES = 4 << 20;
    static final int MAX_BODY_BYTES = 32 << 20;
    static final int EXCERPT_BYTES = 512;

    private final UpstreamRequest request;
    private final UpstreamListener listener;
    private final ScheduledExecutorService timers;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile CompletableFuture<HttpResponse<Void>> exchange;
    private volatile Flow.Subscription subscription;
    private volatile ScheduledFuture<?> firstTokenTimer;
    private volatile ScheduledFuture<?> idleTimer;
    private volatile ScheduledFuture<?> totalTimer;
    private volatile long lastEventNanos;
    private volatile boolean bodyRead; // to its end: the exchange finishes by itself, its connection back in the pool
    private int events; // body-subscriber thread only, one call at a time

    UpstreamCall(UpstreamRequest request, UpstreamListener listener, ScheduledExecutorService timers) {
        this.request = request;
        this.listener = listener;
        this.timers = timers;
    }

    void start(HttpClient http) {
        Timeouts t = request.timeouts();
        totalTimer = schedule(t.total(), () -> fail(new UpstreamFailure.TimedOut(UpstreamFailure.TimedOut.Phase.TOTAL)));
        if (request.stream()) {
            firstTokenTimer = schedule(t.firstToken(),
                    () -> fail(new UpstreamFailure.TimedOut(UpstreamFailure.TimedOut.Phase.FIRST_TOKEN)));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(request.uri())
                .header("Accept", request.stream() ? "text/event-stream" : "application/json");
        if (request.body() == null) b.GET();
        else b.POST(HttpRequest.BodyPublishers.ofByteArray(request.body())).header("Content-Type", "application/json");
        request.headers().forEach(b::header);
        exchange = http.sendAsync(b.build(), this::subscriberFor);
        exchange.whenComplete((response, error) -> {
            if (error != null) fail(classify(error));
        });
    }

    /** Stops the call and closes its connection; the listener hears nothing more. A no-op once ended. */
    public void cancel() {
        if (ended.compareAndSet(false, true)) stop();
    }

    private HttpResponse.BodySubscriber<Void> subscriberFor(HttpResponse.ResponseInfo info) {
        int status = info.statusCode();
        if (status < 200 || status > 299) {
            Duration retryAfter = retryAfter(info.headers().firstValue("Retry-After").orElse(null));
            return new Collecting(EXCERPT_BYTES, false, body -> fail(new UpstreamFailure.Status(status, retryAfter,
                    new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip())));
        }
        if (request.stream()) return new Streaming();
        return new Collecting(MAX_BODY_BYTES, true, this::complete);
    }

    private void onData(String data) {
        if (ended.get()) return;
        if (data.equals("[DONE]")) {
            complete(null);
            return;
        }
        if (events++ == 0) {
            cancelTimer(firstTokenTimer);
            lastEventNanos = System.nanoTime();
            idleTimer = schedule(request.timeouts().idle(), this::checkIdle);
        } else {
            lastEventNanos = System.nanoTime();
        }
        listener.onEvent(data);
    }

    /** Fires at most once an idle period: fails the call if no event came for that long, else looks again later. */
    private void checkIdle() {
        long idle = request.timeouts().idle().toNanos();
        long quiet = System.nanoTime() - lastEventNanos;
        if (quiet >= idle) fail(new UpstreamFailure.TimedOut(UpstreamFailure.TimedOut.Phase.IDLE));
        else if (!ended.get()) idleTimer = schedule(Duration.ofNanos(idle - quiet), this::checkIdle);
    }

    /** The answer is whole: a body read to its end, or a stream's {@code [DONE]}, after which only its end follows. */
    private void complete(byte[] body) {
        if (!ended.compareAndSet(false, true)) return;
        cancelTimers(); // and the exchange left to finish by itself: see stop()
        listener.onComplete(body);
    }

    private void fail(UpstreamFailure failure) {
        if (!ended.compareAndSet(false, true)) return;
        stop();
        listener.onFailure(failure);
    }

    /**
     * Cancels the timers and aborts the exchange, unless its body was read to its end: aborting then could close its
     * connection after the HTTP client has handed it back to its pool, under the next call that took it.
     */
    private void stop() {
        cancelTimers();
        if (bodyRead) return;
        Flow.Subscription s = subscription;
        if (s != null) s.cancel();
        CompletableFuture<HttpResponse<Void>> e = exchange;
        if (e != null && !e.isDone()) e.cancel(true);
    }

    private void cancelTimers() {
        cancelTimer(firstTokenTimer);
        cancelTimer(idleTimer);
        cancelTimer(totalTimer);
    }

    private ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        return timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void cancelTimer(ScheduledFuture<?> timer) {
        if (timer != null) timer.cancel(false);
    }

    private UpstreamFailure classify(Throwable error) {
        Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return switch (t) {
            case HttpConnectTimeoutException e -> new UpstreamFailure.ConnectFailed("no connection within "
                    + request.timeouts().connect().toMillis() + " ms");
            case ConnectException e -> new UpstreamFailure.ConnectFailed(e.getMessage() != null ? e.getMessage()
                    : "refused (" + request.uri().getHost() + ":" + request.uri().getPort() + ")");
            case CancellationException e -> new UpstreamFailure.Cut(events, "cancelled");
            case IOException e -> new UpstreamFailure.Cut(events, String.valueOf(e.getMessage()));
            default -> new UpstreamFailure.Cut(events, t.getClass().getSimpleName() + ": " + t.getMessage());
        };
    }

    /** A {@code Retry-After} in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) return null;
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.strip(),
                        DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /** Reads an event stream as it arrives. */
    private final class Streaming extends Reading {
        private final SseParser parser = new SseParser(UpstreamCall.this::onData, MAX_LINE_BYTES);


        @Override
        public void onNext(List<ByteBuffer> pieces) {
            try {
                for (ByteBuffer piece : pieces) {
                    if (ended.get()) return;
                    parser.feed(piece);
                }
            } catch (SseParser.MalformedStreamException e) {
                fail(new UpstreamFailure.Malformed(e.getMessage()));
            }
        }

        @Override
        public void onError(Throwable t) {
            fail(new UpstreamFailure.Cut(events, String.valueOf(t.getMessage())));
            done.complete(null);
        }

        @Override
        public void onComplete() {
            bodyRead = true;
            fail(new UpstreamFailure.Cut(events, parser.midEvent() ? "the stream ended inside an event"
                    : "the stream ended without [DONE]"));
            done.complete(null);
        }
    }

    /** Reads a whole body up to a limit: the answer ({@code whole}: past the limit is malformed) or an excerpt. */
    private final class Collecting extends Reading {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int limit;
        private final boolean whole;
        private final java.util.function.Consumer<byte[]> onBody;

        Collecting(int limit, boolean whole, java.util.function.Consumer<byte[]> onBody) {
            this.limit = limit;
            this.whole = whole;
            this.onBody = onBody;
        }


        @Override
        public void onNext(List<ByteBuffer> pieces) {
            for (ByteBuffer piece : pieces) {
                byte[] taken = new byte[Math.min(piece.remaining(), limit - bytes.size())];
                piece.get(taken);
                bytes.writeBytes(taken);
                if (piece.hasRemaining()) {
                    if (whole) fail(new UpstreamFailure.Malformed("an answer larger than " + limit + " bytes"));
                    else onBody.accept(bytes.toByteArray()); // an excerpt is enough
                    return;
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            if (whole) fail(new UpstreamFailure.Cut(0, String.valueOf(t.getMessage())));
            else onBody.accept(bytes.toByteArray());
            done.complete(null);
        }

        @Override
        public void onComplete() {
            bodyRead = true;
            onBody.accept(bytes.toByteArray());
            done.complete(null);
        }
    }

    /** What both readers share: the subscription, taken whole unless the call already ended, and the end. */
    private abstract class Reading implements HttpResponse.BodySubscriber<Void> {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (ended.get()) s.cancel();
            else s.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }
    }
}
