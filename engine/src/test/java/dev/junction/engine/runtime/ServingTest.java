package dev.junction.engine.runtime;

import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.KvCache;
import dev.junction.engine.model.Model;
import dev.junction.engine.model.Transformer;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.inference.Completion;
import dev.junction.inference.FinishReason;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.Prompt;
import dev.junction.inference.Sampling;
import dev.junction.inference.TokenLogprob;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The serving core over the real stories260K model: the same text as a {@link Session}, alone or batched. */
class ServingTest {
    static final String STORY =
            ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw";
    static final List<String> PROMPTS = List.of("Once upon a time", "Lily and Tom", "The cat sat on the mat",
            "One day, a little boy", "The sun was shining", "Ben had a red ball", "In a small town",
            "Mom said", "The dog ran", "Sara liked to draw", "There was a big tree", "The bird sang",
            "Tim and his dad", "It was a rainy day", "Anna found a box", "The little fish");

    static Model model;
    static Parallel parallel;
    LocalInferenceService service;

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

    @AfterEach
    void stop() {
        if (service != null) service.shutdown(0);
    }

    LocalInferenceService start(EngineConfig config) {
        service = LocalInferenceService.start("stories260K", model, config, parallel);
        return service;
    }

    static GenerationRequest greedy(String prompt, int maxTokens, String... stop) {
        return new GenerationRequest("stories260K", Prompt.text(prompt), Sampling.greedy(), maxTokens, List.of(stop),
                false, 0);
    }

    Collector run(GenerationRequest r) {
        Collector c = new Collector();
        service.generate(r, c);
        return c;
    }

    /**
     * What a {@link Session} generates, greedy. Only while the service is idle: a {@link Parallel} runs one loop at a
     * time, and the engine thread uses the same one.
     */
    static String session(String prompt, int n) {
        StringBuilder sb = new StringBuilder();
        new Session(model, parallel, 256).generate(model.tokenizer().encode(prompt, true, false),
                SamplingParams.greedy(), n, (id, text) -> {
                    sb.append(text);
                    return true;
                });
        return sb.toString();
    }

    @Test
    void oneGreedyRequestReturnsWhatASessionReturns() {
        assertThat(session("Once upon a time", 32)).isEqualTo(STORY);
        start(EngineConfig.defaults().withContextLength(256));
        Collector c = run(greedy("Once upon a time", 32));
        Completion done = c.await();
        assertThat(c.text()).isEqualTo(STORY);
        assertThat(done.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(done.usage().completionTokens()).isEqualTo(32);
        assertThat(c.tokens).hasSize(32);
    }

    @Test
    void anF16CacheGivesWhatASessionWithAnF16CacheGives() {
        StringBuilder expected = new StringBuilder();
        new Session(model, parallel, 256, KvCache.Type.F16).generate(
                model.tokenizer().encode("Lily and Tom", true, false), SamplingParams.greedy(), 40,
                (id, text) -> expected.append(text) != null);
        start(EngineConfig.defaults().withContextLength(256).withCacheType(KvCache.Type.F16));
        assertThat(run(greedy("Lily and Tom", 40)).awaitText()).isEqualTo(expected.toString());
    }

    @Test
    void stopStringsCutTheOutputExactly() {
        start(EngineConfig.defaults().withContextLength(256));
        Collector lily = run(greedy("Once upon a time", 32, "Lily"));
        assertThat(lily.await().finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(lily.text()).isEqualTo(", there was a little girl named ");
        Collector spanning = run(greedy("Once upon a time", 32, "in the park"));
        assertThat(spanning.await().finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(spanning.text()).isEqualTo(", there was a little girl named Lily. She loved to play outside ");
        Collector earliest = run(greedy("Once upon a time", 32, "park", "girl"));
        earliest.await();
        assertThat(earliest.text()).isEqualTo(", there was a little ");
        Collector never = run(greedy("Once upon a time", 32, "dragon"));
        assertThat(never.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(never.text()).isEqualTo(STORY);
    }

    @Test
    void sixteenConcurrentGreedyRequestsEachReturnWhatTheyReturnAlone() {
        start(EngineConfig.defaults().withContextLength(256));
        List<String> sessions = PROMPTS.stream().map(p -> session(p, 48)).toList();
        List<String> alone = new ArrayList<>();
        for (String p : PROMPTS) alone.add(run(greedy(p, 48)).awaitText());
        List<Collector> together = new ArrayList<>();
        for (String p : PROMPTS) together.add(run(greedy(p, 48)));
        for (int i = 0; i < PROMPTS.size(); i++) {
            assertThat(together.get(i).awaitText()).as(PROMPTS.get(i)).isEqualTo(alone.get(i));
            assertThat(alone.get(i)).as(PROMPTS.get(i)).isEqualTo(sessions.get(i));
        }
    }

    @Test
    void aScoredPromptHasTheLogSoftmaxOfTheLogitsTheModelGivesTokenByToken() {
        String text = "Once upon a time" + STORY;
        int[] tokens = model.tokenizer().encode(text, true, false); // BOS first: the service leaves it out
        Transformer.Sequence alone = model.transformer().newSequence(256);
        double[] expected = new double[tokens.length];
        for (int i = 0; i + 1 < tokens.length; i++) {
            float[] logits = model.transformer().forward(alone, tokens[i], parallel);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (float l : logits) max = Math.max(max, l);
            for (float l : logits) sum += Math.exp(l - max);
            expected[i + 1] = logits[tokens[i + 1]] - max - Math.log(sum);
        }
        start(EngineConfig.defaults().withContextLength(256).withMaxRunning(4).withTokenBudget(16)); // the prompt in chunks
        Collector c = run(new GenerationRequest("stories260K", Prompt.text(text), Sampling.greedy(), 4, List.of(),
                true, 1, true));
        c.await();
        List<TokenLogprob> scores = c.promptLogprobs;
        assertThat(scores).hasSize(tokens.length - 1);
        for (int i = 1; i < tokens.length; i++) {
            TokenLogprob s = scores.get(i - 1);
            if (i > 1) assertThat(s.bytes()).isEqualTo(model.tokenizer().tokenBytes(tokens[i], true));
            assertThat(s.logprob()).as("token %d", i).isCloseTo(expected[i], within(1e-5));
        }
        assertThat(scores.stream().map(TokenLogprob::token).collect(Collectors.joining())).as("they add up to the text")
                .isEqualTo(text);
        int story = model.tokenizer().encode("Once upon a time", true, false).length;
        for (TokenLogprob s : scores.subList(story - 1, scores.size())) { // the greedy continuation: each the best
            assertThat(s.top().getFirst().bytes()).isEqualTo(s.bytes());
        }
    }

    @Test
    void aPromptGivenAsTokenIdsIsScoredAsGivenBosIncluded() {
        int[] tokens = model.tokenizer().encode("Once upon a time", true, false);
        start(EngineConfig.defaults().withContextLength(256));
        Collector c = run(new GenerationRequest("stories260K", new Prompt.Tokens(tokens), Sampling.greedy(), 1,
                List.of(), true, 1, true));
        c.await();
        assertThat(c.promptLogprobs).hasSize(tokens.length); // nothing added, nothing left out
        assertThat(c.promptLogprobs.getFirst().logprob()).isNaN();
        for (int i = 1; i < tokens.length; i++) {
            assertThat(c.promptLogprobs.get(i).bytes()).isEqualTo(model.tokenizer().tokenBytes(tokens[i], true));
            assertThat(c.promptLogprobs.get(i).logprob()).isNegative();
        }
    }

    @Test
    void aRepeatedPromptReusesItsCachedPrefixAndGivesTheSameText() {
        start(EngineConfig.defaults().withContextLength(256));
        String prompt = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";
        String expected = session(prompt, 20);
        Collector first = run(greedy(prompt, 20));
        Completion a = first.await();
        Collector second = run(greedy(prompt, 20));
        Completion b = second.await();
        assertThat(a.usage().cachedTokens()).isZero();
        assertThat(b.usage().cachedTokens()).isEqualTo((a.usage().promptTokens() - 1) / 16 * 16).isPositive();
        assertThat(second.text()).isEqualTo(first.text()).isEqualTo(expected);
    }

    @Test
    void requestsPreemptedForLackOfBlocksStillReturnWhatTheyReturnAlone() {
        // 8 blocks of 16 hold one full context of 128; four requests of up to 100 tokens need 28
        List<String> prompts = PROMPTS.subList(0, 4);
        List<String> sessions = prompts.stream().map(p -> session(p, 90)).toList();
        start(EngineConfig.defaults().withContextLength(128).withKvBlocks(12).withMaxRunning(4));
        List<Collector> together = new ArrayList<>();
        for (String p : prompts) together.add(run(greedy(p, 90)));
        for (int i = 0; i < 4; i++) {
            assertThat(together.get(i).awaitText()).as(prompts.get(i)).isEqualTo(sessions.get(i));
        }
        assertThat(service.stats().preemptions()).isPositive();
    }
}
