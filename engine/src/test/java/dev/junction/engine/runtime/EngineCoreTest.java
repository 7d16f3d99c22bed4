package dev.junction.engine.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.junction.inference.FinishReason;
import dev.junction.inference.InferenceException.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Cancellation at every moment of a request's life, and recovery after a failed step, on the core alone. */
class EngineCoreTest {
    static final int VOCAB = 97;
    final CoreHarness h = new CoreHarness(VOCAB, 32, 4, 4, 16, 5_000);
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    final Logger coreLog = (Logger) LoggerFactory.getLogger(EngineCore.class);

    @BeforeEach
    void captureLogs() {
        logged.start();
        coreLog.addAppender(logged);
    }

    @AfterEach
    void releaseLogs() {
        coreLog.detachAppender(logged);
    }

    static int[] prompt(int seed, int length) {
        return IntStream.range(0, length).map(i -> 3 + (seed * 31 + i * 7) % (VOCAB - 3)).toArray();
    }

    /** Nothing in flight, every block free or cached, the counters back at zero. */
    void assertIdle() {
        assertThat(h.core.inconsistencies()).isEmpty();
        assertThat(h.core.holdsRequests()).isFalse();
        assertThat(h.scheduler.running() + h.scheduler.waiting()).isZero();
        assertThat(h.blocks.referencedBlocks()).isZero();
        assertThat(h.core.notStarted()).isZero();
        assertThat(h.core.started()).isZero();
    }

    /** A new request runs to its length with the model's own output. */
    void assertServesANewRequest(int seed) {
        Collector c = new Collector();
        Request r = h.submit(prompt(seed, 7), 6, c);
        h.runToEnd(100);
        assertThat(c.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(CoreHarness.generated(r)).containsExactly(h.reference(r));
    }

    /**
     * The wedge found under load: the cancel of a request reached the engine before the request itself (it came into
     * the inbox just after the engine had emptied it). The engine ended the request though it had no sequence yet,
     * with a NullPointerException, then ran it anyway, and it could never finish; every later step threw.
     */
    @Test
    void aCancelThatOvertakesItsRequestEndsItOnceWhenItArrives() {
        Collector c = new Collector();
        Request r = h.accept(prompt(1, 6), 5, c);
        r.cancel();
        h.deliverCancels(); // the core has not seen the request: nothing to do yet
        assertThat(c.ends).isZero();
        h.core.add(r);
        assertThat(c.ends).isEqualTo(1);
        assertThat(c.await().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(c.await().usage().completionTokens()).isZero();
        assertThat(h.core.hasWork()).isFalse();
        assertIdle();
        // and the core serves the next request
        assertServesANewRequest(2);
        assertIdle();
    }

    @Test
    void aRequestCancelledWhileWaitingNeverRuns() {
        Collector first = new Collector(), second = new Collector();
        h.submit(prompt(1, 6), 5, first);
        Request waiting = h.submit(prompt(2, 6), 5, second);
        waiting.cancel();
        h.deliverCancels();
        assertThat(second.await().finishReason()).isEqualTo(FinishReason.CANCELLED);
        h.runToEnd(100);
        assertThat(waiting.sequence.admissions()).isZero();
        assertThat(first.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertIdle();
    }

    @Test
    void aRequestCancelledDuringPrefillOrBetweenDecodesEndsAtOnceWithWhatItGenerated() {
        Collector prefill = new Collector(), decoding = new Collector();
        Request a = h.submit(prompt(1, 40), 5, prefill); // 40 prompt tokens at 16 a step: three steps
        Request b = h.submit(prompt(2, 3), 20, decoding);
        h.core.step();
        assertThat(a.state).isEqualTo(Request.State.RUNNING);
        a.cancel();
        h.deliverCancels();
        assertThat(prefill.await().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(prefill.tokens).isEmpty();
        while (decoding.tokens.size() < 4) h.core.step();
        b.cancel();
        h.deliverCancels();
        assertThat(decoding.await().usage().completionTokens()).isEqualTo(4);
        assertThat(decoding.tokens).hasSize(4);
        assertIdle();
    }

    @Test
    void aCancelAfterTheEndDoesNothing() {
        Collector c = new Collector();
        Request r = h.submit(prompt(1, 4), 3, c);
        h.runToEnd(100);
        r.cancel();
        h.deliverCancels();
        h.core.cancel(r); // even delivered twice
        assertThat(c.ends).isEqualTo(1);
        assertThat(c.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertIdle();
    }

    @Test
    void afterAFailedStepEveryRequestInFlightEndsWithAnErrorAndTheCoreServesOn() {
        List<Collector> inFlight = IntStream.range(0, 6).mapToObj(i -> new Collector()).toList();
        for (int i = 0; i < inFlight.size(); i++) h.submit(prompt(i, 5 + i), 10, inFlight.get(i));
        h.core.step();
        h.model.failAtStep = h.model.stepTokens.size();
        try {
            h.core.step();
            throw new AssertionError("the step should have failed");
        } catch (IllegalStateException e) {
            h.core.recover(e);
        }
        for (Collector c : inFlight) {
            assertThat(c.ends).isEqualTo(1);
            assertThat(c.awaitError().kind()).isEqualTo(Kind.INTERNAL);
        }
        assertIdle();
        assertServesANewRequest(9);
        assertIdle();
    }

    @Test
    void aSequenceFinishedBehindTheCoresBackIsCaughtAndServingGoesOn() {
        Collector a = new Collector(), b = new Collector();
        Request broken = h.submit(prompt(1, 5), 10, a);
        h.submit(prompt(2, 5), 10, b);
        h.core.step();
        h.scheduler.finish(broken.sequence); // a request whose sequence is gone
        assertThat(h.core.inconsistencies()).isNotEmpty();
        h.core.recover(new IllegalStateException("simulated bug"));
        assertThat(a.awaitError().kind()).isEqualTo(Kind.INTERNAL);
        assertThat(b.awaitError().kind()).isEqualTo(Kind.INTERNAL);
        assertIdle();
        assertServesANewRequest(3);
    }

    @Test
    void blocksLeakedBeyondRepairAreReclaimedByAResetAndServingGoesOn() {
        Collector a = new Collector();
        h.submit(prompt(1, 5), 10, a);
        h.core.step();
        h.blocks.allocate(new BlockTable(), 4 * 8); // eight blocks that no sequence will ever give back
        h.core.recover(new IllegalStateException("simulated bug"));
        assertThat(a.awaitError().kind()).isEqualTo(Kind.INTERNAL);
        assertIdle();
        assertThat(h.blocks.usedBlocks()).isZero(); // the prefix cache was forgotten with the rest
        assertThat(logged.list).anyMatch(e -> e.getFormattedMessage().contains("resetting the scheduler"));
        assertServesANewRequest(3);
    }

    @Test
    void theSameFailureOnEveryStepIsLoggedOnceWithACount() {
        for (int i = 0; i < 1000; i++) h.core.recover(failureAtTheSamePlace(i));
        assertThat(errors()).hasSize(1);
        h.clock.millis += RepeatingErrorLog.REPORT_EVERY_MILLIS;
        h.core.recover(failureAtTheSamePlace(1000));
        assertThat(errors()).hasSize(2);
        assertThat(errors().getLast().getFormattedMessage()).contains("1000 more times");
        h.core.recover(new IllegalArgumentException("another"));
        assertThat(errors()).hasSize(3);
        assertThat(errors().getLast().getThrowableProxy().getMessage()).isEqualTo("another");
    }

    private static IllegalStateException failureAtTheSamePlace(int i) {
        return new IllegalStateException("nothing could be scheduled: " + i); // the message varies, the place not
    }

    private List<ILoggingEvent> errors() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
    }
}
