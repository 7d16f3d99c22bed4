package dev.junction.router;

import dev.junction.router.health.Failure;
import dev.junction.router.health.Permit;
import dev.junction.router.health.BreakerState;
import dev.junction.router.remote.RemoteSupplier;
import dev.junction.router.route.Deployment;
import dev.junction.router.upstream.UpstreamClient;
import dev.junction.router.upstream.UpstreamFailure;
import dev.junction.router.upstream.UpstreamListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Active health checks: each period, every supplier is asked for its model list. A supplier that cannot be reached,
 * times out or answers 5xx counts one failure on the breaker of each of its deployments (so an idle dead supplier is
 * found before a client meets it); one that answers lets an open breaker whose cool-down is over run its trial at once
 * and close (so a recovered supplier comes back without a client's request as the trial). Any answer below 500 counts
 * as reachable: not every OpenAI-compatible server lists models with the same access.
 */
final class Prober implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Prober.class);

    /** One supplier to probe and the deployments on it. */
    record Target(RemoteSupplier remote, UpstreamClient client, List<Deployment> deployments) {
    }

    private final Supplier<List<Target>> targets;
    private ScheduledExecutorService timer;

    Prober(Supplier<List<Target>> targets) {
        this.targets = targets;
    }

    synchronized void start(Duration interval) {
        if (timer != null) return;
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("junction-probe")
                .factory());
        timer.scheduleWithFixedDelay(() -> {
            try {
                probeAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("A probe round failed", e);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Probes every supplier at once and applies what each answered. */
    void probeAll() throws InterruptedException {
        List<Target> all = targets.get();
        List<CompletableFuture<Boolean>> answers = new ArrayList<>();
        for (Target t : all) answers.add(probe(t));
        for (int i = 0; i < all.size(); i++) {
            Target t = all.get(i);
            boolean reachable;
            try {
                reachable = answers.get(i).get(t.remote().probe().timeouts().total().toMillis() + 1000,
                        TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                reachable = false;
            }
            for (Deployment d : t.deployments()) apply(d, reachable);
        }
    }

    private static CompletableFuture<Boolean> probe(Target t) {
        CompletableFuture<Boolean> answered = new CompletableFuture<>();
        t.client().send(t.remote().probe(), new UpstreamListener() {
            @Override
            public void onEvent(String data) {
            }

            @Override
            public void onComplete(byte[] body) {
                answered.complete(true);
            }

            @Override
            public void onFailure(UpstreamFailure failure) {
                boolean reachable = failure instanceof UpstreamFailure.Status s && s.code() < 500;
                if (!reachable) log.debug("Probe of supplier {} failed: {}", t.remote().name(), failure.describe());
                answered.complete(reachable);
            }
        });
        return answered;
    }

    private static void apply(Deployment d, boolean reachable) {
        if (reachable && d.breaker().state() == BreakerState.CLOSED) return;
        d.breaker().tryAcquire().ifPresent(permit -> {
            if (!reachable) permit.failure(Failure.CONNECT);
            else if (permit.kind() == Permit.Kind.TRIAL) permit.success();
            else permit.released();
        });
    }

    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
    }
}
