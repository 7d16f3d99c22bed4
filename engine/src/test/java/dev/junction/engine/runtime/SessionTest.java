package dev.junction.engine.runtime;

import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.kernel.Parallel;

import dev.junction.engine.model.Model;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.inference.FinishReason;
import dev.junction.testkit.GreedyReference;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Generation as a caller sees it: text in, tokens and text out. */
class SessionTest {
    static Model model;
    static Parallel parallel;

    @BeforeAll
    static void load() {
        model = Model.load(TestModels.stories260K(), LoadProgress.NONE);
        parallel = new Parallel(2);
    }

    @AfterAll
    static void close() {
        parallel.close();
        model.close();
    }

    record Output(List<Integer> ids, String text, Session.Stats stats) {}

    static Output generate(Session session, int[] prompt, SamplingParams params, int n) {
        List<Integer> ids = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        Session.Stats stats = session.generate(prompt, params, n, (id, piece) -> {
            if (id >= 0) ids.add(id);
            text.append(piece);
            return true;
        });
        return new Output(ids, text.toString(), stats);
    }

    @Test
    void greedyGenerationGivesLlamaCppsIdsAndText() {
        GreedyReference ref = GreedyReference.stories260K();
        int[] prompt = model.tokenizer().encode(ref.prompt(), true, false);
        assertThat(prompt).containsExactly(ref.promptIds());
        Output out = generate(new Session(model, parallel, 64), prompt, SamplingParams.greedy(), 32);
        assertThat(out.ids()).containsExactly(java.util.Arrays.stream(ref.generatedIds()).boxed().toArray(Integer[]::new));
        assertThat(out.text()).isEqualTo(ref.continuation());
        assertThat(out.stats().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void theSameSeedGivesTheSameTokens() {
        int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
        SamplingParams params = SamplingParams.defaults().withTemperature(1.0f).withSeed(1234);
        Output a = generate(new Session(model, parallel, 128), prompt, params, 40);
        Output b = generate(new Session(model, parallel, 128), prompt, params, 40);
        Output c = generate(new Session(model, parallel, 128), prompt, params.withSeed(99), 40);
        assertThat(a.ids()).isEqualTo(b.ids());
        assertThat(a.ids()).isNotEqualTo(c.ids());
    }

    @Test
    void aFollowUpReusesTheCachedPrefixAndGivesTheSameTokensAsAFreshSession() {
        int[] first = model.tokenizer().encode("Lily saw a cat.", true, false);
        Session session = new Session(model, parallel, 256);
        Output turn1 = generate(session, first, SamplingParams.greedy(), 10);
        int[] second = concat(first, turn1.ids(), model.tokenizer().encode(" The cat", false, false));
        Output cached = generate(session, second, SamplingParams.greedy(), 10);
        Output fresh = generate(new Session(model, parallel, 256), second, SamplingParams.greedy(), 10);
        assertThat(cached.stats().cachedTokens()).isEqualTo(first.length + turn1.ids().size() - 1);
        assertThat(cached.ids()).isEqualTo(fresh.ids());
    }

    @Test
    void generationStopsWhenTheContextIsFull() {
        int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
        Output out = generate(new Session(model, parallel, 10), prompt, SamplingParams.greedy(), 100);
        assertThat(out.ids()).hasSize(10 - prompt.length + 1);
        assertThat(out.stats().finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void aPromptLongerThanTheContextIsAClearError() {
        int[] prompt = new int[20];
        java.util.Arrays.fill(prompt, 300);
        assertThatThrownBy(() -> new Session(model, parallel, 16).generate(prompt, SamplingParams.greedy(), 1, (i, t) -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("20 tokens").hasMessageContaining("16");
    }

    @Test
    void theSinkCanStopGeneration() {
        int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
        int[] seen = {0};
        Session.Stats stats = new Session(model, parallel, 64).generate(prompt, SamplingParams.greedy(), 30,
                (id, text) -> ++seen[0] < 3);
        assertThat(stats.generatedTokens()).isEqualTo(3);
        assertThat(stats.finishReason()).isEqualTo(FinishReason.CANCELLED);
    }

    private static int[] concat(int[] a, List<Integer> b, int[] c) {
        int[] out = new int[a.length + b.size() + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        for (int i = 0; i < b.size(); i++) out[a.length + i] = b.get(i);
        System.arraycopy(c, 0, out, a.length + b.size(), c.length);
        return out;
    }
}
