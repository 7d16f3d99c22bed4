package dev.junction.engine.runtime;

import dev.junction.engine.runtime.SchedulerTest.Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static dev.junction.engine.runtime.SchedulerTest.prompt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scheduler and block manager with a window group (blocks of their own for sliding-window layers), driving a fake
 * model whose output depends on each position's window as read through the window table: sequences hold about a
 * window of those blocks however long they grow, and prefix reuse and preemption still give what the model gives
 * without a cache.
 */
class SlidingWindowSchedulingTest {
    static final int WINDOW = 6;
    static final int BLOCK = 4;

    static Engine engine(int blocks, int windowBlocks, int maxRunning, int budget) {
        return new Engine(new BlockManager(blocks, windowBlocks, BLOCK, WINDOW), maxRunning, budget);
    }

    @Test
    void aGrowingSequenceHoldsOnlyTheWindowBlocksItsNextPositionsRead() {
        Engine e = engine(32, 16, 1, 8);
        Sequence s = e.submit(prompt(1, 30), 60);
        int most = 0;
        while (e.scheduler.hasWork()) {
            e.step();
            BlockPool window = e.blocks.windowGroup();
            most = Math.max(most, window.referencedBlocks());
            if (s.state() == Sequence.State.RUNNING) {
                assertThat(s.blocks().droppedWindowBlocks()).isEqualTo(Math.max(0, s.computed() - WINDOW + 1) / BLOCK);
            }
        }
        assertThat(e.output(s)).containsExactly(e.reference(s));
        // a step of up to 8 rows after a window of 6 spans at most ceil((5 + 7) / 4) + 1 = 4 blocks; 90 positions
        // take 23 blocks in the full-attention group
        assertThat(most).isLessThanOrEqualTo(4);
        assertThat(e.blocks.windowBlocksFor(89, 8)).isEqualTo(4);
        assertThat(e.blocks.windowGroup().referencedBlocks()).isZero();
        assertThat(e.blocks.referencedBlocks()).isZero();
    }

    @Test
    void aRepeatedPromptReusesItsPrefixWhileTheWindowGroupStillHoldsItsLastWindow() {
        Engine e = engine(64, 24, 2, 8);
        int[] p = prompt(3, 30);
        Sequence a = e.submit(p, 4);
        e.runToEnd();
        Sequence b = e.submit(p, 4);
        e.step();
        assertThat(b.cachedTokens()).isEqualTo(28); // the 7 full blocks before the one holding the last token
        assertThat(b.computed()).isEqualTo(30);
        assertThat(b.blocks().droppedWindowBlocks()).isEqualTo((30 - WINDOW + 1) / BLOCK);
        e.runToEnd();
        assertThat(e.output(b)).containsExactly(e.output(a)).containsExactly(e.reference(b));
    }

    @Test
    void aPrefixWhoseWindowBlocksWereTakenByOthersIsComputedAgainAsFarAsNeeded() {
        Engine e = engine(64, 8, 1, 8);
        int[] p = prompt(3, 30);
        e.submit(p, 4);
        e.runToEnd();
        e.submit(prompt(11, 40), 4); // its 11 blocks take every window block, so A's cached window is gone
        e.runToEnd();
        Sequence b = e.submit(p, 4);
        e.step();
        assertThat(b.cachedTokens()).isLessThan(28);
        e.runToEnd();
        assertThat(e.output(b)).containsExactly(e.reference(b));
    }

    @Test
    void whenTheWindowGroupRunsOutTheNewestIsPreemptedAndLaterCompletesWithTheSameOutput() {
        // the full-attention group has room for everyone; the window group holds 8 blocks, 4 per sequence at most
        Engine e = engine(128, 8, 4, 8);
        List<Sequence> seqs = IntStream.range(0, 4).mapToObj(i -> e.submit(prompt(i, 20 + i), 24)).toList();
        e.runToEnd();
        assertThat(e.scheduler.preemptions()).isPositive();
        assertThat(seqs.getFirst().preemptions()).isZero();
        for (Sequence s : seqs) assertThat(e.output(s)).containsExactly(e.reference(s));
        assertThat(e.blocks.windowGroup().freeBlocks()).isEqualTo(8);
    }

    @Test
    void aSequenceWhoseWindowCouldNeverFitIsRefusedAtSubmit() {
        Engine e = engine(64, 3, 1, 8); // one step of 8 rows needs 4 window blocks
        assertThatThrownBy(() -> e.submit(prompt(1, 20), 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sliding-window KV blocks");
        Sequence small = e.submit(prompt(1, 4), 4); // 7 positions: 2 blocks
        e.runToEnd();
        assertThat(e.output(small)).containsExactly(e.reference(small));
    }

    /**
     * Sequences with shared prefixes arrive, grow and are cancelled at random moments over a pool short in both
     * groups: every finished output is what the model gives without a cache, and the bookkeeping adds up after every
     * step (the engine checks it).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void randomArrivalsSharedPrefixesPreemptionsAndCancellationsGiveTheUncachedOutput(long seed) {
        Random random = new Random(seed);
        Engine e = engine(40, 14, 3, 12);
        int[][] stems = IntStream.range(0, 3).mapToObj(i -> prompt(20 + i, 24)).toArray(int[][]::new);
        List<Sequence> all = new ArrayList<>();
        List<Sequence> cancelled = new ArrayList<>();
        for (int step = 0; step < 5_000 && (step < 300 || e.scheduler.hasWork()); step++) {
            if (step < 300 && random.nextInt(4) == 0) {
                int[] stem = stems[random.nextInt(stems.length)];
                int[] p = Arrays.copyOf(stem, 1 + random.nextInt(stem.length + 8));
                for (int i = stem.length; i < p.length; i++) p[i] = random.nextInt(SchedulerTest.VOCAB);
                all.add(e.submit(p, 1 + random.nextInt(30)));
            }
            if (!all.isEmpty() && random.nextInt(12) == 0) {
                Sequence victim = all.get(random.nextInt(all.size()));
                if (victim.state() != Sequence.State.FINISHED) {
                    e.cancel(victim);
                    cancelled.add(victim);
                }
            }
            if (e.scheduler.hasWork()) e.step();
        }
        assertThat(e.scheduler.hasWork()).isFalse();
        int checked = 0;
        for (Sequence s : all) {
            if (cancelled.contains(s)) continue;
            assertThat(e.output(s)).as("%s", s).containsExactly(e.reference(s));
            checked++;
        }
        assertThat(checked).isGreaterThan(20);
        assertThat(e.blocks.prefixHitTokens()).isPositive();
        assertThat(e.blocks.references()).isZero();
        assertThat(e.blocks.inconsistencies()).isEmpty();
    }
}
