package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.cli.RoutedServe.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import static dev.junction.cli.RoutedServe.bySupplier;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of one of three real supplier processes in the middle of a run of 300 requests (plain and
 * streamed, 16 at a time, weighted evenly): every request ends exactly once — answered, retried elsewhere when
 * nothing had reached its client yet, or a stream that had begun ended with a clean error event — and none hangs past
 * its client's deadline; the killed supplier's breaker opens, and once the process is started again on its port
 * (while the run goes on) the breaker closes — the router's probes, every 5 s, run its trial when the cool-down is
 * over — and it takes requests again.
 */
class SupplierKillTest {
    private static final int REQUESTS = 300;
    private static final int CONCURRENCY = 16;
    private static final int KILL_AFTER = 100;
    private static final int KILLED = 1;
    private static final String MODEL = "k";

    /** How one request ended, as its client saw it. */
    enum Ending {
        /** A plain answer: one JSON completion. */
        ANSWERED,
        /** A stream of one completion's chunks, then {@code [DONE]}. */
        STREAMED,
        /** A stream that had begun, then one {@code {"error": …}} event and {@code [DONE]}. */
        CUT_WITH_ERROR_EVENT,
        /** Anything else: another status, a malformed body or stream, an exception. */
        FAILED,
        /** No whole answer within the client's deadline. */
        HUNG
    }

    /** One request's ending, with its answer when one came. */
    record Ended(int request, Ending ending, Answer answer, String detail) {
    }

    @Test
    void killingASupplierMidRunEndsEveryRequestOnceAndItsBreakerOpensThenClosesAfterARestart(@TempDir Path dir)
            throws Exception {
        String killed = "s" + KILLED;
        try (SupplierProcesses processes = SupplierProcesses.start(3, dir);
             RoutedServe serve = RoutedServe.start(dir.resolve("router"), RoutedServe.suppliers(processes, "", "", "")
                     + RoutedServe.model(MODEL, "weighted", "{supplier: s0}", "{supplier: s1}", "{supplier: s2}"))) {
            CountDownLatch beforeKill = new CountDownLatch(KILL_AFTER);
            List<Ended> run = new ArrayList<>();
            long start = System.nanoTime(), killedAt, openAt, restartedAt;
            try (ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY)) {
                List<Future<Ended>> requests = new ArrayList<>();
                for (int i = 0; i < REQUESTS; i++) {
                    int request = i;
                    requests.add(pool.submit(() -> {
                        Ended e = send(serve, request);
                        beforeKill.countDown();
                        return e;
                    }));
                }
                assertThat(beforeKill.await(120, TimeUnit.SECONDS)).as("%d answers before the kill", KILL_AFTER)
                        .isTrue();
                processes.kill9(KILLED);
                killedAt = System.nanoTime();
                serve.await(MODEL, killed, "open", Duration.ofSeconds(60), d -> d.breaker().state().equals("open"));
                openAt = System.nanoTime();
                processes.restart(KILLED); // while the run goes on: the open breaker keeps requests away from it
                restartedAt = System.nanoTime();
                long wait = RoutedServe.CALL_DEADLINE.toSeconds() + 30; // each call fails by its deadline
                for (Future<Ended> f : requests) run.add(f.get(wait, TimeUnit.SECONDS));
                System.out.printf("kill -9 of %s after %.1f s; its breaker seen open %.1f s after the kill; the "
                                + "process serving again on its port %.1f s later; the run ended %.1f s after the "
                                + "kill%n",
                        killed, seconds(killedAt - start), seconds(openAt - killedAt), seconds(restartedAt - openAt),
                        seconds(System.nanoTime() - killedAt));
            }

            Map<Ending, Long> endings = run.stream().collect(Collectors.groupingBy(Ended::ending,
                    () -> new EnumMap<>(Ending.class), Collectors.counting()));
            List<Ended> retried = run.stream().filter(e -> e.answer() != null && e.answer().attempts() > 1).toList();
            System.out.println(REQUESTS + " requests, " + CONCURRENCY + " at a time: " + endings + "; answered by "
                    + bySupplier(run.stream().map(Ended::answer).filter(a -> a != null).toList()) + "; retried "
                    + retried.size() + " " + bySupplier(retried.stream().map(Ended::answer).toList()));
            assertThat(run).hasSize(REQUESTS);
            assertThat(run).extracting(Ended::request).doesNotHaveDuplicates();
            assertThat(run).filteredOn(e -> e.ending() == Ending.FAILED || e.ending() == Ending.HUNG).isEmpty();
            assertThat(run).filteredOn(e -> e.ending() == Ending.CUT_WITH_ERROR_EVENT)
                    .allSatisfy(e -> assertThat(e.answer().supplier()).isEqualTo(killed));
            assertThat(retried).as("retried after the kill: answered elsewhere")
                    .allSatisfy(e -> assertThat(e.answer().supplier()).isNotEqualTo(killed));

            serve.await(MODEL, killed, "closed", Duration.ofSeconds(120), d -> d.breaker().state().equals("closed"));
            System.out.printf("%s's breaker closed %.1f s after the kill%n", killed,
                    seconds(System.nanoTime() - killedAt));

            List<Answer> after = RoutedServe.concurrently(60, 4, i -> {
                Ended e = send(serve, i);
                assertThat(e.ending()).as(e.detail()).isIn(Ending.ANSWERED, Ending.STREAMED);
                return e.answer();
            });
            System.out.println("after the restart: " + bySupplier(after));
            assertThat(bySupplier(after)).containsKey(killed);
        }
    }

    /**
     * Request {@code i} and how it ended: odd ones streamed, and longer (a kill is likelier to cut one under way).
     */
    private static Ended send(RoutedServe serve, int i) {
        boolean stream = i % 2 == 1;
        Answer a;
        try {
            a = serve.complete(MODEL, "Once upon a time", stream ? 200 : 8, stream).join();
        } catch (CompletionException e) {
            return new Ended(i, e.getCause() instanceof TimeoutException ? Ending.HUNG : Ending.FAILED, null,
                    String.valueOf(e.getCause()));
        }
        if (a.status() != 200) return new Ended(i, Ending.FAILED, a, "status " + a.status() + ": " + a.body());
        try {
            return new Ended(i, stream ? streamEnding(a.events()) : plainEnding(a.json()), a, a.body());
        } catch (RuntimeException malformed) {
            return new Ended(i, Ending.FAILED, a, malformed + " in " + a.body());
        }
    }

    private static Ending plainEnding(JsonNode completion) {
        return completion.path("choices").size() == 1 && completion.path("choices").get(0).path("text").isTextual()
                ? Ending.ANSWERED : Ending.FAILED;
    }

    /**
     * A stream must end with its one {@code [DONE]}; before it, the chunks of one completion (one id), ending either
     * with a finish reason or with one error event just before {@code [DONE]}.
     */
    private static Ending streamEnding(List<String> events) {
        if (events.isEmpty() || !events.getLast().equals("[DONE]") || events.indexOf("[DONE]") != events.size() - 1) {
            return Ending.FAILED;
        }
        List<JsonNode> chunks = events.subList(0, events.size() - 1).stream().map(RoutedServe::json).toList();
        long errors = chunks.stream().filter(c -> c.has("error")).count();
        if (errors > 1 || (errors == 1 && !chunks.getLast().has("error"))) return Ending.FAILED;
        List<JsonNode> completion = errors == 1 ? chunks.subList(0, chunks.size() - 1) : chunks;
        if (completion.isEmpty() && errors == 1) return Ending.FAILED; // an error event only comes after the begin
        if (completion.stream().map(c -> c.path("id").asText()).distinct().count() != 1) return Ending.FAILED;
        if (errors == 1) return Ending.CUT_WITH_ERROR_EVENT;
        boolean finished = completion.stream().flatMap(c -> c.path("choices").valueStream())
                .anyMatch(choice -> choice.path("finish_reason").isTextual());
        return finished ? Ending.STREAMED : Ending.FAILED;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
