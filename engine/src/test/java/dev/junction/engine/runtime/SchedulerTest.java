package dev.junction.engine.runtime;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scheduler and block manager driving a fake model through the {@link EngineCore}, step by step (greedy). */
class SchedulerTest {
    static final int VOCAB = 97;

    /**
     * The serving core over a pool of {@code blocks} blocks of {@code blockSize} with a fake model, stepped by the
     * test as the engine loop steps it; greedy requests, seen here through their sequences.
     */
    static final class Engine {
        final CoreHarness harness;
        final BlockManager blocks;
        final Scheduler scheduler;
        final FakeModel model;
        final Map<Sequence, Request> requests = new HashMap<>();
        final List<Sequence> finishOrder = new ArrayList<>();
        final List<List<Long>> admittedPerStep = new ArrayList<>();
        int steps;

        Engine(int blocks, int blockSize, int maxRunning, int budget) {
            this(new BlockManager(blocks, blockSize), maxRunning, budget);
        }

        Engine(BlockManager blocks, int maxRunning, int budget) {
            this.harness = new CoreHarness(VOCAB, blocks, maxRunning, budget, 0);
            this.blocks = harness.blocks;
            this.scheduler = harness.scheduler;
            this.model = harness.model;
        }

        /** Submits a greedy request; throws IllegalArgumentException with its error when the core refuses it. */
        Sequence submit(int[] prompt, int maxTokens) {
            Request[] request = new Request[1];
            Collector listener = new Collector() {
                @Override
                public void onComplete(dev.junction.inference.Completion completion) {
                    super.onComplete(completion);
                    finishOrder.add(request[0].sequence);
                }
            };
            request[0] = harness.submit(prompt, maxTokens, listener);
            if (request[0].state == Request.State.ENDED) {
                throw new IllegalArgumentException(listener.awaitError().getMessage());
            }
            requests.put(request[0].sequence, request[0]);
            return request[0].sequence;
        }

        StepPlan step() {
            StepPlan plan = harness.core.step();
            List<Long> admitted = new ArrayList<>();
            for (int i = 0; i < plan.size(); i++) if (plan.admitted(i)) admitted.add(plan.sequence(i).id());
            admittedPerStep.add(admitted);
            assertThat(harness.core.inconsistencies()).isEmpty();
            steps++;
            return plan;
        }

        /** Cancels the request of {@code s}, as a client would, and lets the core take the cancellation. */
        void cancel(Sequence s) {
            requests.get(s).cancel();
            harness.deliverCancels();
        }

        void runToEnd() {
            while (scheduler.hasWork()) {
                step();
                if (steps > 10_000) throw new AssertionError("no progress");
            }
        }

        int[] output(Sequence s) {
            return CoreHarness.generated(requests.get(s));
        }

        int[] reference(Sequence s) {
            return harness.reference(requests.get(s));
        }
    }

    static int[] prompt(int seed, int length) {
        return IntStream.range(0, length).map(i -> (seed * 31 + i * 7) % VOCAB).toArray();
    }

    @Test
    void aLoneSequenceGeneratesWhatTheModelGivesWithoutACache() {
        Engine e = new Engine(16, 4, 4, 64);
        Sequence s = e.submit(prompt(1, 10), 20);
        e.runToEnd();
        assertThat(e.output(s)).containsExactly(e.reference(s));
        assertThat(s.state()).isEqualTo(Sequence.State.FINISHED);
        assertThat(e.blocks.freeBlocks()).isEqualTo(16);
    }

    @Test
    void sequencesDecodeTogetherInOneStep() {
        Engine e = new Engine(64, 4, 4, 64);
        List<Sequence> seqs = IntStream.range(0, 4).mapToObj(i -> e.submit(prompt(i, 5 + i), 12)).toList();
        e.step(); // all four prompts at once
        StepPlan decode = e.step();
        assertThat(decode.size()).isEqualTo(4);
        assertThat(decode.tokens()).isEqualTo(4);
        e.runToEnd();
        for (Sequence s : seqs) assertThat(e.output(s)).containsExactly(e.reference(s));
    }

    @Test
    void chunkedPrefillKeepsEveryStepWithinTheBudgetWhileOthersDecode() {
        Engine e = new Engine(64, 4, 4, 8);
        Sequence shortOne = e.submit(prompt(1, 3), 30);
        e.step();
        Sequence longOne = e.submit(prompt(2, 50), 5);
        int stepsDecodingTheShortOne = 0;
        while (longOne.generated() == 0) {
            StepPlan plan = e.step();
            assertThat(plan.tokens()).isLessThanOrEqualTo(8);
            assertThat(plan.sequence(0)).isSameAs(shortOne); // decodes come first
            assertThat(plan.count(0)).isEqualTo(1);
            stepsDecodingTheShortOne++;
        }
        // 50 prompt tokens at 7 per step (the budget less one decode) take 8 steps
        assertThat(stepsDecodingTheShortOne).isEqualTo(8);
        e.runToEnd();
        assertThat(e.output(longOne)).containsExactly(e.reference(longOne));
        assertThat(e.output(shortOne)).containsExactly(e.reference(shortOne));
        assertThat(e.model.stepTokens).allMatch(t -> t <= 8);
    }

    @Test
    void whenBlocksRunOutTheNewestIsPreemptedAndLaterCompletesWithTheSameOutput() {
        // each sequence needs up to 6 blocks of 4 (23 positions); 3 of them need 18 but the pool has 10
        Engine e = new Engine(10, 4, 3, 64);
        List<Sequence> seqs = IntStream.range(0, 3).mapToObj(i -> e.submit(prompt(i, 8), 16)).toList();
        e.runToEnd();
        assertThat(e.scheduler.preemptions()).isPositive();
        assertThat(seqs.get(0).preemptions()).isZero(); // the oldest always keeps running
        assertThat(seqs.get(2).preemptions()).isPositive();
        for (Sequence s : seqs) assertThat(e.output(s)).containsExactly(e.reference(s));
        assertThat(e.finishOrder.getFirst()).isSameAs(seqs.get(0));
        assertThat(e.blocks.freeBlocks()).isEqualTo(10);
    }

    @Test
    void repeatedPreemptionsOfLongGenerationsKeepEveryOutputIntact() {
        // four generations of ~96 positions (6 blocks of 16 each) share 12 blocks
        Engine e = new Engine(12, 16, 4, 256);
        List<Sequence> seqs = IntStream.range(0, 4).mapToObj(i -> e.submit(prompt(i, 5 + i), 90)).toList();
        e.runToEnd();
        assertThat(e.scheduler.preemptions()).isGreaterThan(1);
        for (Sequence s : seqs) assertThat(e.output(s)).containsExactly(e.reference(s));
    }

    @Test
    void aPreemptedSequenceWaitsAtTheHeadOfTheQueue() {
        Engine e = new Engine(6, 4, 2, 64);
        Sequence a = e.submit(prompt(1, 8), 15);
        Sequence b = e.submit(prompt(2, 8), 15);
        Sequence c = e.submit(prompt(3, 4), 4);
        while (b.preemptions() == 0) e.step();
        assertThat(b.state()).isEqualTo(Sequence.State.WAITING);
        assertThat(b.blocks().size()).isZero();
        e.runToEnd();
        // b is admitted again before c, which came later
        int bAgain = -1, cFirst = -1;
        for (int i = 0; i < e.admittedPerStep.size(); i++) {
            if (e.admittedPerStep.get(i).contains(b.id())) bAgain = i;
            if (cFirst < 0 && e.admittedPerStep.get(i).contains(c.id())) cFirst = i;
        }
        assertThat(bAgain).isLessThanOrEqualTo(cFirst);
        for (Sequence s : List.of(a, b, c)) assertThat(e.output(s)).containsExactly(e.reference(s));
    }

    @Test
    void sequencesAreAdmittedInTheOrderTheyCame() {
        Engine e = new Engine(64, 4, 2, 64);
        List<Sequence> seqs = IntStream.range(0, 6).mapToObj(i -> e.submit(prompt(i, 4 + (5 - i) * 3), 3 + i)).toList();
        e.runToEnd();
        List<Long> admissions = e.admittedPerStep.stream().flatMap(List::stream).toList();
        assertThat(admissions).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        for (Sequence s : seqs) assertThat(e.output(s)).containsExactly(e.reference(s));
    }

    @Test
    void manyShortRequestsDoNotStarveALongOne() {
        Engine e = new Engine(64, 4, 4, 8);
        Sequence first = e.submit(prompt(0, 4), 3);
        Sequence longOne = e.submit(prompt(1, 40), 40);
        List<Sequence> later = new ArrayList<>();
        for (int step = 0; longOne.state() != Sequence.State.FINISHED; step++) {
            later.add(e.submit(prompt(100 + step, 3), 2)); // a steady stream of short requests
            e.step();
            if (longOne.state() == Sequence.State.RUNNING && longOne.generated() > 0) {
                assertThat(longOne.preemptions()).isZero();
            }
            assertThat(step).isLessThan(200);
        }
        assertThat(e.output(longOne)).containsExactly(e.reference(longOne));
        // nothing submitted after the long one was admitted before it
        long longAdmittedAt = stepOf(e, longOne);
        for (Sequence s : later) {
            if (s.admissions() > 0) assertThat(stepOf(e, s)).isGreaterThanOrEqualTo(longAdmittedAt);
        }
        assertThat(first.state()).isEqualTo(Sequence.State.FINISHED);
    }

    private static long stepOf(Engine e, Sequence s) {
        for (int i = 0; i < e.admittedPerStep.size(); i++) if (e.admittedPerStep.get(i).contains(s.id())) return i;
        return -1;
    }

    @Test
    void aSecondRequestWithTheSamePrefixSkipsTheCachedBlocks() {
        Engine e = new Engine(32, 4, 4, 64);
        int[] shared = prompt(7, 20);
        Sequence a = e.submit(shared, 6);
        e.runToEnd();
        assertThat(e.blocks.prefixHitTokens()).isZero();
        assertThat(e.blocks.prefixQueryTokens()).isEqualTo(20);

        int[] longer = Arrays.copyOf(shared, 26);
        for (int i = 20; i < 26; i++) longer[i] = (i * 13) % VOCAB;
        Sequence b = e.submit(longer, 6);
        StepPlan first = e.step();
        assertThat(b.cachedTokens()).isEqualTo(20); // the five full blocks of the shared prompt
        assertThat(first.start(0)).isEqualTo(20);
        assertThat(first.count(0)).isEqualTo(6);
        assertThat(e.blocks.prefixHitTokens()).isEqualTo(20);
        assertThat(e.blocks.prefixQueryTokens()).isEqualTo(46);
        e.runToEnd();
        assertThat(e.output(a)).containsExactly(e.reference(a));
        assertThat(e.output(b)).containsExactly(e.reference(b));
    }

    @Test
    void theLastPromptTokenIsAlwaysComputedEvenWhenItsBlockIsCached() {
        Engine e = new Engine(32, 4, 4, 64);
        int[] p = prompt(3, 16);
        Sequence a = e.submit(p, 4);
        e.runToEnd();
        Sequence b = e.submit(p, 4);
        StepPlan plan = e.step();
        assertThat(b.cachedTokens()).isEqualTo(12); // blocks 0-2; block 3 holds the last prompt token
        assertThat(plan.start(0)).isEqualTo(12);
        e.runToEnd();
        assertThat(e.output(b)).containsExactly(e.output(a));
    }

    @Test
    void sequencesRunningTogetherShareCachedBlocksReadOnly() {
        Engine e = new Engine(32, 4, 4, 64);
        int[] p = prompt(5, 13);
        Sequence a = e.submit(p, 10);
        e.step();
        e.step();
        Sequence b = e.submit(p, 10);
        e.step();
        assertThat(b.cachedTokens()).isEqualTo(12);
        for (int i = 0; i < 3; i++) {
            assertThat(b.blocks().block(i)).isEqualTo(a.blocks().block(i));
            assertThat(e.blocks.refCount(a.blocks().block(i))).isEqualTo(2);
        }
        assertThat(b.blocks().block(3)).isNotEqualTo(a.blocks().block(3)); // the partial block is private
        e.runToEnd(); // the fake model fails any write to a shared block
        assertThat(e.output(b)).containsExactly(e.output(a)).containsExactly(e.reference(a));
    }

    @Test
    void identicalPromptsAdmittedTogetherComputeTheirOwnBlocks() {
        Engine e = new Engine(32, 4, 4, 64);
        int[] p = prompt(9, 10);
        Sequence a = e.submit(p, 8);
        Sequence b = e.submit(p, 8);
        e.runToEnd();
        assertThat(e.output(a)).containsExactly(e.output(b)).containsExactly(e.reference(a));
    }

    @Test
    void finishingASequenceFreesItsBlocksAtOnceAndKeepsFullOnesCached() {
        Engine e = new Engine(16, 4, 4, 64);
        Sequence s = e.submit(prompt(1, 10), 20);
        e.step();
        e.step();
        assertThat(s.blocks().size()).isEqualTo(3);
        assertThat(e.blocks.freeBlocks()).isEqualTo(13);
        e.cancel(s);
        assertThat(s.state()).isEqualTo(Sequence.State.FINISHED);
        assertThat(s.blocks().size()).isZero();
        assertThat(e.blocks.freeBlocks()).isEqualTo(16);
        assertThat(e.blocks.usedBlocks()).isEqualTo(2); // two full blocks kept for prefix reuse
        assertThat(e.scheduler.hasWork()).isFalse();
        e.cancel(s); // idempotent
        assertThat(e.harness.core.inconsistencies()).isEmpty();
    }

    @Test
    void aWaitingSequenceCanBeFinishedBeforeItRuns() {
        Engine e = new Engine(16, 4, 1, 64);
        Sequence a = e.submit(prompt(1, 4), 5);
        Sequence b = e.submit(prompt(2, 4), 5);
        e.step();
        e.cancel(b);
        assertThat(e.scheduler.waiting()).isZero();
        e.runToEnd();
        assertThat(b.admissions()).isZero();
        assertThat(e.output(a)).containsExactly(e.reference(a));
    }

    @Test
    void aSequenceThatCouldNeverFitIsRefusedAtSubmit() {
        Engine e = new Engine(4, 4, 2, 64);
        assertThatThrownBy(() -> e.submit(prompt(1, 10), 8)) // 17 positions need 5 blocks
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5 KV blocks").hasMessageContaining("4");
        e.submit(prompt(1, 10), 7); // 16 positions fit exactly
        assertThatThrownBy(() -> e.scheduler.submit(new int[0], 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSequenceAsLargeAsThePoolRunsAloneWithoutLivelock() {
        Engine e = new Engine(4, 4, 3, 64);
        List<Sequence> seqs = IntStream.range(0, 3).mapToObj(i -> e.submit(prompt(i, 6), 11)).toList();
        e.runToEnd();
        for (Sequence s : seqs) assertThat(e.output(s)).containsExactly(e.reference(s));
    }

    @Test
    void theBudgetMustCoverADecodeOfEveryRunningSequence() {
        assertThatThrownBy(() -> new Scheduler(new BlockManager(8, 4), 16, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16");
    }
}
