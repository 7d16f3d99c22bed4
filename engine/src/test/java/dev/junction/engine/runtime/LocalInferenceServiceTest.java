package dev.junction.engine.runtime;

import dev.junction.engine.model.KvCache;
import dev.junction.inference.Completion;
import dev.junction.inference.FinishReason;
import dev.junction.inference.Generation;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceException.Kind;
import dev.junction.inference.Prompt;
import dev.junction.inference.Sampling;
import dev.junction.inference.ServiceStats;
import dev.junction.inference.TokenEvent;
import dev.junction.inference.TokenLogprob;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The service as the HTTP server sees it, over a fake model (real tokenizer and chat template of stories260K):
 * validation, streaming, limits, cancellation, queueing, failures and shutdown.
 */
class LocalInferenceServiceTest extends ServiceFixture {
    static int[] prompt(int seed, int n) {
        return IntStream.range(0, n).map(i -> 300 + (seed * 37 + i * 11) % 200).toArray();
    }

    static GenerationRequest greedy(int[] prompt, int maxTokens) {
        return GenerationRequest.of("fake", new Prompt.Tokens(prompt), maxTokens).withSampling(Sampling.greedy());
    }

    /** The stats once the engine is idle (they are published after each step, so just after the events). */
    ServiceStats settledStats() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            ServiceStats s = service.stats();
            if (s.running() == 0 && s.queued() == 0) return s;
            Thread.onSpinWait();
        }
        throw new AssertionError("the engine did not settle: " + service.stats());
    }

    @Test
    void aRequestStreamsOneEventPerTokenThenCompletesWithItsUsage() {
        start(config(4, 8, 128, 64));
        int[] p = prompt(1, 10);
        Collector c = run(greedy(p, 12));
        Completion done = c.await();
        assertThat(done.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(done.usage().promptTokens()).isEqualTo(10);
        assertThat(done.usage().completionTokens()).isEqualTo(12);
        assertThat(c.tokens).hasSize(12).allMatch(t -> t.logprob() == null);
        assertThat(c.text()).isEqualTo(textOf(fake.reference(p, 12)));
        assertThat(c.ends).isEqualTo(1);
    }

    @Test
    void theModelIsListedWithItsContext() {
        start(config(4, 8, 128, 64));
        assertThat(service.models()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("fake");
            assertThat(m.ownedBy()).isEqualTo("junction");
            assertThat(m.contextLength()).isEqualTo(128);
            assertThat(m.created()).isEqualTo(clock.millis / 1000);
        });
        assertThat(service.ready()).isTrue();
    }

    @Test
    void refusalsComeAtOnceWithTheKindCallersActOn() {
        start(config(4, 8, 32, 64));
        Collector c = new Collector();
        assertThatThrownBy(() -> service.generate(GenerationRequest.of("other", Prompt.text("hi"), 5), c))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.MODEL_NOT_FOUND));
        assertThatThrownBy(() -> service.generate(greedy(prompt(1, 32), 5), c))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.CONTEXT_LENGTH_EXCEEDED);
                    assertThat(e.getMessage()).contains("32 tokens").contains("the prompt has 32");
                });
        assertThatThrownBy(() -> service.generate(greedy(new int[0], 5), c))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST));
        assertThatThrownBy(() -> service.generate(greedy(new int[]{1, 99_999}, 5), c))
                .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.param()).isEqualTo("prompt"));
        assertThatThrownBy(() -> service.generate(greedy(prompt(1, 4), 5).withSampling(
                new Sampling(1, 1, 0, 0, 0, 0, java.util.Map.of(70_000, 5.0), 1L)), c))
                .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.param()).isEqualTo("logit_bias"));
        assertThat(c.ends).isZero();
        Completion ok = run(greedy(prompt(1, 31), 5)).await(); // 31 + 1 fits: one token, then the context is full
        assertThat(ok.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(ok.usage().completionTokens()).isEqualTo(1);
    }

    @Test
    void withoutMaxTokensGenerationRunsUntilTheContextIsFull() {
        start(config(4, 8, 40, 64));
        Completion done = run(greedy(prompt(2, 10), 0)).await();
        assertThat(done.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(done.usage().totalTokens()).isEqualTo(40);
    }

    @Test
    void anEndOfGenerationTokenStopsTheGeneration() {
        start(config(4, 8, 128, 64));
        fake.force(14, tokenizer.eos());
        Collector c = run(greedy(prompt(3, 10), 20));
        Completion done = c.await();
        assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(done.usage().completionTokens()).isEqualTo(5); // four tokens and the end-of-generation token
        assertThat(c.text()).isEqualTo(textOf(Arrays.copyOf(fake.reference(prompt(3, 10), 4), 4)));
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheRawLogitsWithTheMostLikelyAlternatives() {
        start(config(4, 8, 128, 64));
        int[] p = prompt(4, 6);
        Collector c = run(new GenerationRequest("fake", new Prompt.Tokens(p), Sampling.greedy(), 3, List.of(), true,
                4));
        c.await();
        int[] expected = fake.reference(p, 3);
        for (int i = 0; i < 3; i++) {
            TokenLogprob lp = c.tokens.get(i).logprob();
            assertThat(lp.bytes()).isEqualTo(tokenizer.tokenBytes(expected[i], true));
            assertThat(lp.top()).hasSize(4);
            assertThat(lp.top().getFirst().bytes()).isEqualTo(lp.bytes()); // greedy: the chosen one is the best
            assertThat(lp.top().getFirst().logprob()).isEqualTo(lp.logprob());
            for (int j = 1; j < 4; j++) {
                assertThat(lp.top().get(j).logprob()).isLessThanOrEqualTo(lp.top().get(j - 1).logprob());
            }
            // the fake gives the chosen token 8 more than noise in [0, 1) over 512 tokens
            assertThat(lp.logprob()).isBetween(-1.0, 0.0);
            assertThat(lp.logprob() - lp.top().get(1).logprob()).isBetween(7.0, 9.0);
        }
        double sum = 0; // the alternatives' probabilities are part of one distribution
        for (TokenLogprob t : c.tokens.getFirst().logprob().top()) sum += Math.exp(t.logprob());
        assertThat(sum).isLessThanOrEqualTo(1.0 + 1e-9);
        assertThat(run(greedy(p, 3)).await().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void aScoredPromptReportsEachTokenGivenTheOnesBeforeItAheadOfTheFirstToken() {
        start(new EngineConfig(4, 8, Duration.ofSeconds(5), 128, 4, 64, 8, KvCache.Type.F32)); // chunks of 8 tokens
        int[] seed = prompt(6, 20);
        int[] p = IntStream.concat(Arrays.stream(seed), Arrays.stream(fake.reference(seed, 6))).toArray();
        Collector c = run(new GenerationRequest("fake", new Prompt.Tokens(p), Sampling.greedy(), 2, List.of(), true,
                3, true));
        c.await();
        List<TokenLogprob> scores = c.promptLogprobs;
        assertThat(scores).hasSize(p.length);
        for (int i = 1; i < p.length; i++) assertThat(scores.get(i).bytes()).isEqualTo(tokenizer.tokenBytes(p[i], true));
        assertThat(scores.getFirst().logprob()).as("nothing before it").isNaN();
        assertThat(scores.getFirst().top()).isEmpty();
        for (TokenLogprob s : scores.subList(1, p.length)) assertThat(s.top()).hasSize(3);
        for (TokenLogprob s : scores.subList(seed.length, p.length)) { // the model's own continuation: its best
            assertThat(s.logprob()).isBetween(-1.0, 0.0).isEqualTo(s.top().getFirst().logprob());
        }
        assertThat(scores.subList(1, seed.length)).as("arbitrary tokens score low")
                .anyMatch(s -> s.logprob() < -5);
        // computed in full again, though its blocks were cached just before
        Collector again = run(new GenerationRequest("fake", new Prompt.Tokens(p), Sampling.greedy(), 2, List.of(),
                true, 3, true));
        assertThat(again.await().usage().cachedTokens()).isZero();
        assertThat(again.promptLogprobs).extracting(TokenLogprob::logprob)
                .containsExactlyElementsOf(scores.stream().map(TokenLogprob::logprob).toList());
        assertThat(run(greedy(p, 2)).await().usage().cachedTokens()).as("the cache still serves others").isEqualTo(24);
    }

    @Test
    void tokenIdsAreSpelledAsTheirScoresSpellThem() {
        start(config(4, 8, 128, 64));
        int[] p = tokenizer.encode("Once upon a time", true, true);
        Collector scored = run(new GenerationRequest("fake", new Prompt.Tokens(p), Sampling.greedy(), 1, List.of(),
                false, 0, true));
        scored.await();
        String spelled = scored.promptLogprobs.stream().map(t -> new String(t.bytes(), StandardCharsets.UTF_8))
                .reduce("", String::concat);

        assertThat(service.detokenize("fake", p)).isEqualTo(spelled).endsWith("Once upon a time");
        assertThat(service.detokenize("fake", new int[0])).isEmpty();
        assertThatThrownBy(() -> service.detokenize("other", p)).isInstanceOfSatisfying(InferenceException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.MODEL_NOT_FOUND));
        assertThatThrownBy(() -> service.detokenize("fake", new int[]{1, 99_999}))
                .isInstanceOfSatisfying(InferenceException.class, e -> assertThat(e.param()).isEqualTo("prompt"));
    }

    @Test
    void theSameSeedGivesTheSameSampledOutput() {
        start(config(4, 8, 128, 64));
        GenerationRequest r = GenerationRequest.of("fake", new Prompt.Tokens(prompt(5, 8)), 20)
                .withSampling(Sampling.DEFAULTS.withTemperature(2).withSeed(42L));
        Collector a = run(r), b = run(r), c = run(r.withSampling(r.sampling().withSeed(43L)));
        a.await();
        b.await();
        c.await();
        assertThat(a.text()).isEqualTo(b.text()).isNotEqualTo(c.text());
    }

    @Test
    void cancellingStopsTheGenerationWithinOneStepAndFreesItsBlocks() {
        start(config(4, 8, 128, 64));
        Generation[] handle = new Generation[1];
        CountDownLatch started = new CountDownLatch(1);
        Collector c = new Collector() {
            @Override
            public void onToken(TokenEvent token) {
                super.onToken(token);
                try {
                    started.await();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                if (tokens.size() == 3) handle[0].cancel();
            }
        };
        handle[0] = service.generate(greedy(prompt(6, 10), 100), c);
        started.countDown();
        Completion done = c.await();
        assertThat(done.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(c.tokens).hasSize(3);
        assertThat(done.usage().completionTokens()).isEqualTo(3);
        handle[0].cancel(); // idempotent
        ServiceStats stats = settledStats();
        assertThat(stats.cancellations()).isEqualTo(1);
        assertThat(stats.running()).isZero();
        assertThat(stats.kvBlocksUsed()).isEqualTo(3); // the full blocks (12 positions) stay cached
    }

    @Test
    void aQueuedRequestCanBeCancelledBeforeItStarts() throws Exception {
        start(config(1, 8, 128, 64));
        CountDownLatch release = new CountDownLatch(1);
        Collector blocker = blockingOnFirstToken(release);
        service.generate(greedy(prompt(1, 4), 5), blocker);
        Collector queued = new Collector();
        Generation g = service.generate(greedy(prompt(2, 4), 5), queued);
        g.cancel();
        release.countDown();
        Completion done = queued.await();
        assertThat(done.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(done.usage().completionTokens()).isZero();
        assertThat(queued.tokens).isEmpty();
        assertThat(blocker.await().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    /** A listener that holds the engine thread on its first token until released. */
    static Collector blockingOnFirstToken(CountDownLatch release) {
        CountDownLatch arrived = new CountDownLatch(1);
        Collector c = new Collector() {
            @Override
            public void onToken(TokenEvent token) {
                super.onToken(token);
                if (tokens.size() == 1) {
                    arrived.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                }
            }
        };
        c.firstTokenArrived = arrived;
        return c;
    }

    /**
     * The wedge found under load (clients that disconnect at once): a cancel that reached the engine thread before its
     * request did ended a request that had no sequence yet (NullPointerException), which then ran anyway and never
     * finished; from then on every step threw and the engine thread spun. Each request here is cancelled as soon as
     * it is submitted, so the cancel often overtakes it; every one must end exactly once and the engine go idle.
     */
    @Test
    void cancelsThatOvertakeTheirRequestsEndEachOnceAndLeaveTheEngineIdle() throws Exception {
        start(config(4, 100_000, 128, 64));
        List<Collector> all = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread[] clients = new Thread[4];
        for (int t = 0; t < clients.length; t++) {
            clients[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 5000; i++) {
                    Collector c = new Collector();
                    service.generate(greedy(prompt(i, 4), 2), c).cancel();
                    all.add(c);
                }
            });
        }
        for (Thread t : clients) t.join();
        for (Collector c : all) c.await();
        assertThat(all).hasSize(20_000).allSatisfy(c -> assertThat(c.ends).isEqualTo(1));
        ServiceStats stats = settledStats();
        assertThat(stats.running()).isZero();
        assertThat(run(greedy(prompt(1, 4), 5)).await().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void aFullQueueIsRefusedAtOnceWithATimeToRetry() throws Exception {
        start(config(1, 2, 128, 64));
        CountDownLatch release = new CountDownLatch(1);
        Collector running = blockingOnFirstToken(release);
        service.generate(greedy(prompt(1, 4), 5), running);
        assertThat(running.firstTokenArrived.await(30, TimeUnit.SECONDS)).isTrue();
        Collector q1 = run(greedy(prompt(2, 4), 5)), q2 = run(greedy(prompt(3, 4), 5));
        assertThatThrownBy(() -> run(greedy(prompt(4, 4), 5)))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.OVERLOADED);
                    assertThat(e.retryAfterSeconds()).isPositive();
                });
        release.countDown();
        assertThat(q1.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(q2.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(run(greedy(prompt(4, 4), 5)).await().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void aRequestWaitingLongerThanTheQueueTimeoutFails() throws Exception {
        start(config(1, 8, 128, 64));
        CountDownLatch release = new CountDownLatch(1);
        Collector running = blockingOnFirstToken(release);
        service.generate(greedy(prompt(1, 4), 5), running);
        assertThat(running.firstTokenArrived.await(30, TimeUnit.SECONDS)).isTrue();
        Collector late = run(greedy(prompt(2, 4), 5));
        clock.advance(Duration.ofSeconds(6));
        Collector fresh = run(greedy(prompt(3, 4), 5));
        release.countDown();
        assertThat(late.awaitError().kind()).isEqualTo(Kind.QUEUE_TIMEOUT);
        assertThat(fresh.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(running.await().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void aFailingStepFailsItsRequestsAndTheServiceGoesOn() {
        start(config(4, 8, 128, 64));
        fake.failAtStep = 0;
        Collector failed = run(greedy(prompt(1, 4), 5));
        InferenceException e = failed.awaitError();
        assertThat(e.kind()).isEqualTo(Kind.INTERNAL);
        assertThat(e.getMessage()).doesNotContain("simulated").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run(greedy(prompt(2, 4), 5)).await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(settledStats().running()).isZero();
    }

    @Test
    void aListenerThatThrowsEndsOnlyItsOwnRequest() {
        start(config(4, 8, 128, 64));
        Collector bad = new Collector() {
            @Override
            public void onToken(TokenEvent token) {
                throw new IllegalStateException("client gone");
            }
        };
        service.generate(greedy(prompt(1, 4), 20), bad);
        Collector good = run(greedy(prompt(2, 4), 20));
        assertThat(bad.awaitError().kind()).isEqualTo(Kind.INTERNAL);
        assertThat(good.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(good.text()).isEqualTo(textOf(fake.reference(prompt(2, 4), 20)));
    }

    @Test
    void concurrentRequestsEachGetTheirOwnOutputEvenWhenPreempted() throws Exception {
        // 8 sequences of up to 60 tokens need 15 blocks each; the pool has 40
        start(config(8, 64, 64, 40));
        CountDownLatch release = new CountDownLatch(1); // the engine waits until all sixteen are queued
        Collector blocker = blockingOnFirstToken(release);
        service.generate(greedy(prompt(99, 4), 2), blocker);
        assertThat(blocker.firstTokenArrived.await(30, TimeUnit.SECONDS)).isTrue();
        List<Collector> collectors = new ArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Collector c = new Collector();
            collectors.add(c);
            int seed = i;
            callers.add(Thread.ofPlatform().start(() -> service.generate(greedy(prompt(seed, 8 + seed), 50), c)));
        }
        for (Thread t : callers) t.join();
        release.countDown();
        for (int i = 0; i < 16; i++) {
            Collector c = collectors.get(i);
            assertThat(c.await().finishReason()).isEqualTo(FinishReason.LENGTH);
            int n = Math.min(50, 64 - (8 + i)); // the longest prompts reach the context first
            assertThat(c.text()).isEqualTo(textOf(fake.reference(prompt(i, 8 + i), n)));
        }
        ServiceStats stats = settledStats();
        assertThat(stats.preemptions()).isPositive();
        assertThat(stats.queued()).isZero();
        assertThat(stats.kvBlocksTotal()).isEqualTo(40);
    }

    @Test
    void seededSamplingGivesTheSameOutputWhetherPreemptedOrAlone() throws Exception {
        start(config(6, 64, 64, 40));
        List<GenerationRequest> requests = IntStream.range(0, 6).mapToObj(i -> GenerationRequest.of("fake",
                new Prompt.Tokens(prompt(i, 6)), 50).withSampling(Sampling.DEFAULTS.withSeed((long) i))).toList();
        List<String> alone = new ArrayList<>();
        for (GenerationRequest r : requests) alone.add(run(r).awaitText());
        List<Collector> together = requests.stream().map(this::run).toList();
        for (int i = 0; i < 6; i++) assertThat(together.get(i).awaitText()).isEqualTo(alone.get(i));
        assertThat(settledStats().preemptions()).isPositive();
    }

    @Test
    void aRepeatedPromptIsServedFromThePrefixCache() {
        start(config(4, 8, 128, 64));
        int[] p = prompt(7, 21);
        Completion first = run(greedy(p, 4)).await();
        Collector again = run(greedy(p, 4));
        Completion second = again.await();
        assertThat(first.usage().cachedTokens()).isZero();
        assertThat(second.usage().cachedTokens()).isEqualTo(20);
        ServiceStats stats = settledStats();
        assertThat(stats.prefixQueryTokens()).isEqualTo(42);
        assertThat(stats.prefixHitTokens()).isEqualTo(20);
        assertThat(again.text()).isEqualTo(textOf(fake.reference(p, 4)));
    }

    @Test
    void shutdownWithoutGraceCancelsWhatRunsAndRefusesNewRequests() throws Exception {
        start(config(2, 8, 128, 64));
        CountDownLatch release = new CountDownLatch(1);
        Collector running = blockingOnFirstToken(release);
        service.generate(greedy(prompt(1, 4), 50), running);
        assertThat(running.firstTokenArrived.await(30, TimeUnit.SECONDS)).isTrue();
        Thread stopper = Thread.ofPlatform().start(() -> service.shutdown(0));
        while (service.ready()) Thread.onSpinWait();
        assertThatThrownBy(() -> run(greedy(prompt(2, 4), 5)))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
        release.countDown();
        stopper.join();
        assertThat(running.await().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(settledStats().cancellations()).isEqualTo(1);
    }

    @Test
    void shutdownWithGraceLetsRunningRequestsFinish() {
        start(config(2, 8, 128, 64));
        Collector a = run(greedy(prompt(1, 4), 30)), b = run(greedy(prompt(2, 4), 30));
        service.shutdown(60_000);
        assertThat(a.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(b.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(service.ready()).isFalse();
    }
}
