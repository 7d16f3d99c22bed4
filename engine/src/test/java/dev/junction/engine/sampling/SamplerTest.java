package dev.junction.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SamplerTest {
    private static final float[] SMALL = {1.0f, 3.0f, 2.0f, 0.5f, 2.9f, -1.0f, 0.0f, 1.5f};

    static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (r.nextGaussian() * 3);
        }
        return l;
    }

    static int argmax(float[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }

    static int[] draws(SamplingParams p, float[] logits, int count) {
        Sampler s = new Sampler(p);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = s.sample(logits);
        }
        return out;
    }

    static int[] histogram(SamplingParams p, float[] logits, int count) {
        int[] h = new int[logits.length];
        for (int t : draws(p, logits, count)) {
            h[t]++;
        }
        return h;
    }

    // ---- greedy ----------------------------------------------------------------------------------------------

    @Test
    void greedyIsArgmax() {
        for (long seed = 0; seed < 20; seed++) {
            float[] l = randomLogits(1000, seed);
            assertThat(new Sampler(SamplingParams.greedy()).sample(l)).isEqualTo(argmax(l));
        }
    }

    @Test
    void greedyTiesGoToTheLowestId() {
        assertThat(new Sampler(SamplingParams.greedy()).sample(new float[] {0f, 5f, 1f, 5f, 5f})).isEqualTo(1);
    }

    @Test
    void doesNotModifyTheCallersLogits() {
        float[] l = randomLogits(500, 1);
        float[] copy = l.clone();
        SamplingParams p = SamplingParams.defaults().withRepetitionPenalty(1.3f).withFrequencyPenalty(0.5f)
                .withLogitBias(Map.of(3, -100f));
        Sampler s = new Sampler(p);
        s.acceptAll(1, 2, 3, argmax(l));
        s.sample(l);
        new Sampler(SamplingParams.greedy()).sample(l);
        assertThat(l).isEqualTo(copy);
    }

    @Test
    void samplesOneRowOfABatch() {
        float[] batch = new float[] {9f, 0f, 0f, /* row 1 */ 0f, 0f, 9f};
        Sampler s = new Sampler(SamplingParams.greedy());
        assertThat(s.sample(batch, 0, 3)).isEqualTo(0);
        assertThat(s.sample(batch, 3, 3)).isEqualTo(2);
    }

    // ---- determinism -----------------------------------------------------------------------------------------

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        float[] l = randomLogits(200, 7);
        SamplingParams p = SamplingParams.defaults().withTopK(0).withTopP(1f).withMinP(0f).withTemperature(1.5f)
                .withSeed(1234);
        int[] a = draws(p, l, 100);
        int[] b = draws(p, l, 100);
        int[] c = draws(p.withSeed(4321), l, 100);
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
        assertThat(Arrays.stream(a).distinct().count()).isGreaterThan(5); // it really samples
    }

    @Test
    void defaultsAreDeterministicToo() {
        float[] l = randomLogits(32000, 3);
        assertThat(draws(SamplingParams.defaults(), l, 100)).isEqualTo(draws(SamplingParams.defaults(), l, 100));
    }

    // ---- top-k, top-p, min-p, temperature --------------------------------------------------------------------

    @Test
    void topKOneIsGreedy() {
        for (long seed = 0; seed < 10; seed++) {
            float[] l = randomLogits(1000, seed);
            SamplingParams p = SamplingParams.defaults().withTopK(1).withTemperature(2f).withSeed(seed);
            assertThat(draws(p, l, 20)).containsOnly(argmax(l));
        }
    }

    @Test
    void topKKeepsOnlyTheKBest() {
        // sorted: 1 (3.0), 4 (2.9), 2 (2.0), 7 (1.5), ...
        SamplingParams p = SamplingParams.defaults().withTopK(3).withTopP(1f).withMinP(0f).withTemperature(5f);
        int[] h = histogram(p, SMALL, 3000);
        assertThat(nonZero(h)).containsExactlyInAnyOrder(1, 4, 2);
    }

    @Test
    void topKOnALargeVocabularyDrawsOnlyFromTheTrueTopK() {
        float[] l = randomLogits(32000, 5);
        Integer[] order = IntStream.range(0, l.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Float.compare(l[b], l[a]));
        Set<Integer> top40 = Set.of(Arrays.copyOf(order, 40));
        SamplingParams p = SamplingParams.defaults().withTopK(40).withTopP(1f).withMinP(0f).withTemperature(10f);
        int[] d = draws(p, l, 2000);
        assertThat(Arrays.stream(d).boxed().collect(Collectors.toSet())).isSubsetOf(top40).hasSizeGreaterThan(30);
        assertThat(Arrays.stream(draws(p.withTopP(0.5f), l, 200)).boxed().toList()).isSubsetOf(top40);
    }

    @Test
    void topPKeepsTheNucleus() {
        // temperature-1 probabilities of SMALL: 3.0 -> .356, 2.9 -> .322, 2.0 -> .131, 1.5 -> .080 ...
        // cumulative .356, .678, .809: top-p 0.7 keeps {1, 4, 2}; top-p 0.3 only {1}
        SamplingParams p = SamplingParams.defaults().withTopK(0).withMinP(0f).withTemperature(1f).withTopP(0.7f);
        assertThat(nonZero(histogram(p, SMALL, 3000))).containsExactlyInAnyOrder(1, 4, 2);
        assertThat(nonZero(histogram(p.withTopP(0.3f), SMALL, 500))).containsExactly(1);
    }

    @Test
    void minPDropsTokensMuchLessLikelyThanTheBest() {
        // relative to the best (3.0): 2.9 -> .905, 2.0 -> .368, 1.5 -> .223, 1.0 -> .135
        SamplingParams p = SamplingParams.defaults().withTopK(0).withTopP(1f).withTemperature(3f).withMinP(0.3f);
        assertThat(nonZero(histogram(p, SMALL, 3000))).containsExactlyInAnyOrder(1, 4, 2);
        assertThat(nonZero(histogram(p.withMinP(0.95f), SMALL, 500))).containsExactly(1);
    }

    @Test
    void lowTemperatureConcentratesHighTemperatureSpreads() {
        SamplingParams base = SamplingParams.defaults().withTopK(0).withTopP(1f).withMinP(0f);
        int n = 4000;
        int[] cold = histogram(base.withTemperature(0.2f), SMALL, n);
        int[] warm = histogram(base.withTemperature(1f), SMALL, n);
        int[] hot = histogram(base.withTemperature(5f), SMALL, n);
        assertThat(cold[1]).isGreaterThan(warm[1]);
        assertThat(warm[1]).isGreaterThan(hot[1]);
        // at temperature 1 the frequency follows softmax: p(1) = 0.356
        assertThat(warm[1] / (double) n).isCloseTo(0.356, org.assertj.core.data.Offset.offset(0.04));
        assertThat(nonZero(hot)).hasSize(SMALL.length);
    }

    // ---- penalties and bias ----------------------------------------------------------------------------------

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        float[] l = {2.0f, 1.5f, -1.0f, -1.2f};
        Sampler s = new Sampler(SamplingParams.greedy().withRepetitionPenalty(1.5f));
        assertThat(s.sample(l)).isEqualTo(0);
        s.accept(0); // 2.0 / 1.5 = 1.33 < 1.5
        assertThat(s.sample(l)).isEqualTo(1);
        s.acceptAll(1); // 1.5 / 1.5 = 1.0 still best
        assertThat(s.sample(l)).isEqualTo(0);
        float[] negative = {-1.0f, -1.2f};
        Sampler n = new Sampler(SamplingParams.greedy().withRepetitionPenalty(1.5f));
        n.accept(0); // -1.0 * 1.5 = -1.5 < -1.2
        assertThat(n.sample(negative)).isEqualTo(1);
    }

    @Test
    void frequencyPenaltyCountsOccurrences() {
        float[] l = {2.0f, 1.0f};
        Sampler s = new Sampler(SamplingParams.greedy().withFrequencyPenalty(0.4f));
        s.acceptAll(0, 0); // 2.0 - 2 * 0.4 = 1.2 > 1.0
        assertThat(s.sample(l)).isEqualTo(0);
        s.accept(0); // 2.0 - 3 * 0.4 = 0.8 < 1.0
        assertThat(s.sample(l)).isEqualTo(1);
    }

    @Test
    void presencePenaltyCountsOnce() {
        float[] l = {2.0f, 1.0f};
        Sampler s = new Sampler(SamplingParams.greedy().withPresencePenalty(0.9f));
        s.acceptAll(0, 0, 0, 0); // 2.0 - 0.9 = 1.1 > 1.0 however often it occurs
        assertThat(s.sample(l)).isEqualTo(0);
        Sampler t = new Sampler(SamplingParams.greedy().withPresencePenalty(1.1f));
        t.accept(0);
        assertThat(t.sample(l)).isEqualTo(1);
    }

    @Test
    void penaltiesOnlySeeTheLastNTokens() {
        float[] l = {2.0f, 1.0f, 0f};
        Sampler s = new Sampler(SamplingParams.greedy().withPresencePenalty(5f).withPenaltyLastN(2));
        s.accept(0);
        assertThat(s.sample(l)).isEqualTo(1);
        s.acceptAll(2, 2); // token 0 left the window
        assertThat(s.sample(l)).isEqualTo(0);
        s.reset();
        assertThat(s.sample(l)).isEqualTo(0);
        Sampler off = new Sampler(SamplingParams.greedy().withPresencePenalty(5f).withPenaltyLastN(0));
        off.accept(0);
        assertThat(off.sample(l)).isEqualTo(0);
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NEGATIVE_INFINITY, -100f})
    void logitBiasBansATokenForGoodAndPlus100ForcesOne(float ban) {
        float[] l = randomLogits(300, 11);
        int best = argmax(l);
        SamplingParams banned = SamplingParams.defaults().withTopK(0).withMinP(0f).withTopP(1f).withTemperature(2f)
                .withLogitBias(Map.of(best, ban));
        assertThat(draws(banned, l, 2000)).doesNotContain(best);
        assertThat(new Sampler(SamplingParams.greedy().withLogitBias(Map.of(best, ban))).sample(l)).isNotEqualTo(best);
        int forced = (best + 17) % l.length;
        assertThat(draws(banned.withLogitBias(Map.of(forced, 100f)), l, 200)).containsOnly(forced);
    }

    @Test
    void everythingBannedIsAClearError() {
        Sampler s = new Sampler(SamplingParams.defaults().withLogitBias(Map.of(0, Float.NEGATIVE_INFINITY)));
        assertThatIllegalStateException().isThrownBy(() -> s.sample(new float[] {0f, Float.NaN}))
                .withMessageContaining("every logit is -inf");
    }

    // ---- parameters ------------------------------------------------------------------------------------------

    @Test
    void presets() {
        SamplingParams d = SamplingParams.defaults();
        assertThat(d.temperature()).isEqualTo(0.8f);
        assertThat(d.topK()).isEqualTo(40);
        assertThat(d.topP()).isEqualTo(0.95f);
        assertThat(d.minP()).isEqualTo(0.05f);
        assertThat(d.repetitionPenalty()).isEqualTo(1f);
        assertThat(d.penaltyLastN()).isEqualTo(64);
        assertThat(d.hasPenalties()).isFalse();
        assertThat(SamplingParams.greedy().isGreedy()).isTrue();
    }

    @Test
    void validatesRangesWithClearMessages() {
        SamplingParams d = SamplingParams.defaults();
        assertThatIllegalArgumentException().isThrownBy(() -> d.withTemperature(-0.1f)).withMessageContaining("temperature");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withTemperature(Float.NaN)).withMessageContaining("temperature");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withTopK(-1)).withMessageContaining("topK");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withTopP(0f)).withMessageContaining("topP");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withTopP(1.5f)).withMessageContaining("topP");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withMinP(-0.5f)).withMessageContaining("minP");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withRepetitionPenalty(0f)).withMessageContaining("repetitionPenalty");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withFrequencyPenalty(Float.POSITIVE_INFINITY)).withMessageContaining("frequencyPenalty");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withPresencePenalty(Float.NaN)).withMessageContaining("presencePenalty");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withPenaltyLastN(-1)).withMessageContaining("penaltyLastN");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withLogitBias(Map.of(-2, 1f))).withMessageContaining("logitBias");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withLogitBias(Map.of(2, Float.NaN))).withMessageContaining("logitBias");
    }

    private static Set<Integer> nonZero(int[] h) {
        return IntStream.range(0, h.length).filter(i -> h[i] > 0).boxed().collect(Collectors.toSet());
    }
}
