package dev.junction.router.upstream;

import dev.junction.router.config.Timeouts;

import java.net.http.HttpClient;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Calls one upstream supplier over HTTP (the JDK's client: a pool of HTTP/1.1 connections kept alive between calls,
 * answers read as they arrive, nothing buffered beyond a line). One per supplier, as its connect timeout is the
 * client's; thread-safe; every call keeps its own first-token, idle and total deadlines on a shared timer thread.
 */
public final class UpstreamClient implements AutoCloseable {
    private final HttpClient http;
    private final ScheduledExecutorService timers;

    public UpstreamClient(Timeouts timeouts) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeouts.connect())
                .followRedirects(HttpClient.Redirect.NEVER)
                // the listeners only hand data on: run where it arrives, saving a thread switch per event
                .executor(Runnable::run)
                .build();
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("junction-upstream-timer").factory());
        pool.setRemoveOnCancelPolicy(true); // most deadlines are cancelled: do not keep them queued until due
        this.timers = pool;
    }

    /** Starts the call; its outcome reaches {@code listener} (see {@link UpstreamListener}). */
    public UpstreamCall send(UpstreamRequest request, UpstreamListener listener) {
        UpstreamCall call = new UpstreamCall(request, listener, timers);
        call.start(http);
        return call;
    }

    @Override
    public void close() {
        timers.shutdownNow();
        http.shutdownNow(); // abort what is still in flight rather than wait for it
    }
}
