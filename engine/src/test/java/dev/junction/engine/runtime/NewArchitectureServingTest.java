package dev.junction.engine.runtime;

import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.Model;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.inference.Completion;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.Prompt;
import dev.junction.inference.Sampling;
import dev.junction.inference.ServiceStats;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The serving core (paged KV pool, batched steps, prefix caching) over qwen3moe, gemma3 and gpt-oss files: concurrent
 * greedy requests, and a repeated prompt served from its cached prefix, each give what a {@link Session} gives alone.
 */
class NewArchitectureServingTest {
    static final List<String> PROMPTS = List.of("Once upon a time", "Lily and Tom", "The cat sat on the mat",
            "One day, a little boy went to the park with his mom and his dog to play");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"E-qwen3moe-Q8_0", "F-gemma3-Q8_0", "G-gpt-oss-Q8_0"})
    void concurrentAndPrefixCachedRequestsGiveWhatASessionGives(String name) {
        try (Model model = Model.load(TestModels.file("arch2/" + name + ".gguf"), LoadProgress.NONE);
             Parallel parallel = new Parallel(2)) {
            List<String> alone = PROMPTS.stream().map(p -> session(model, parallel, p, 24)).toList();
            LocalInferenceService service = LocalInferenceService.start(name, model,
                    EngineConfig.defaults().withContextLength(256), parallel);
            try {
                List<Collector> together = new ArrayList<>();
                for (String p : PROMPTS) together.add(run(service, name, p, 24));
                for (int i = 0; i < PROMPTS.size(); i++) {
                    assertThat(together.get(i).awaitText()).as("%s: %s", name, PROMPTS.get(i)).isEqualTo(alone.get(i));
                }
                Collector again = run(service, name, PROMPTS.getLast(), 24); // its first 16 positions are cached now
                Completion done = again.await();
                assertThat(done.usage().cachedTokens()).as("cached prefix").isPositive();
                assertThat(again.text()).isEqualTo(alone.getLast());
            } finally {
                service.shutdown(0);
            }
        }
    }

    /**
     * Prompts many windows long (window 8) on the files with sliding-window layers, whose blocks the service keeps in
     * a window group of their own and drops as each sequence moves on: concurrent requests, then the same prompts
     * again from the prefix cache (as far as the window group still holds each prefix's last window), each give what
     * a session gives alone.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"F-gemma3-Q8_0", "G-gpt-oss-Q8_0"})
    void longPromptsOverAWindowGroupGiveWhatASessionGives(String name) {
        try (Model model = Model.load(TestModels.file("arch2/" + name + ".gguf"), LoadProgress.NONE);
             Parallel parallel = new Parallel(2)) {
            EngineConfig config = EngineConfig.defaults().withContextLength(256).withMaxRunning(4).withTokenBudget(64);
            assertThat(config.windowBlocks(model.config(), 1, 1, Long.MAX_VALUE)).isPositive();
            java.util.Random random = new java.util.Random(3);
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 4; i++) prompts.add(random.ints(90 + 17 * i, 1, model.config().vocabSize()).toArray());
            List<String> alone = prompts.stream().map(p -> session(model, parallel, p, 20)).toList();
            LocalInferenceService service = LocalInferenceService.start(name, model, config, parallel);
            try {
                for (int round = 0; round < 2; round++) {
                    List<Collector> together = new ArrayList<>();
                    for (int[] p : prompts) together.add(run(service, name, new Prompt.Tokens(p), 20));
                    for (int i = 0; i < prompts.size(); i++) {
                        Completion done = together.get(i).await();
                        assertThat(together.get(i).text()).as("round %d, prompt %d", round, i).isEqualTo(alone.get(i));
                        if (round == 1) assertThat(done.usage().cachedTokens()).as("prompt %d again", i).isPositive();
                    }
                }
                ServiceStats stats = service.stats();
                assertThat(stats.windowBlocksTotal()).isEqualTo(config.windowBlocks(model.config(), 1, 1, Long.MAX_VALUE));
                assertThat(stats.windowBlocksUsed()).isBetween(1, stats.windowBlocksTotal()); // cached windows
            } finally {
                service.shutdown(0);
            }
        }
    }

    private static Collector run(LocalInferenceService service, String name, String prompt, int n) {
        return run(service, name, Prompt.text(prompt), n);
    }

    private static Collector run(LocalInferenceService service, String name, Prompt prompt, int n) {
        Collector c = new Collector();
        service.generate(new GenerationRequest(name, prompt, Sampling.greedy(), n, List.of(), false, 0), c);
        return c;
    }

    private static String session(Model model, Parallel parallel, String prompt, int n) {
        return session(model, parallel, model.tokenizer().encode(prompt, true, false), n);
    }

    private static String session(Model model, Parallel parallel, int[] prompt, int n) {
        StringBuilder sb = new StringBuilder();
        new Session(model, parallel, 256).generate(prompt,
                SamplingParams.greedy(), n, (id, text) -> {
                    sb.append(text);
                    return true;
                });
        return sb.toString();
    }
}
