package dev.junction.engine.runtime;

import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.kernel.Parallel;
import dev.junction.engine.model.Model;
import dev.junction.engine.sampling.SamplingParams;
import dev.junction.inference.Completion;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.Prompt;
import dev.junction.inference.Sampling;
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

    private static Collector run(LocalInferenceService service, String name, String prompt, int n) {
        Collector c = new Collector();
        service.generate(new GenerationRequest(name, Prompt.text(prompt), Sampling.greedy(), n, List.of(), false, 0), c);
        return c;
    }

    private static String session(Model model, Parallel parallel, String prompt, int n) {
        StringBuilder sb = new StringBuilder();
        new Session(model, parallel, 256).generate(model.tokenizer().encode(prompt, true, false),
                SamplingParams.greedy(), n, (id, text) -> {
                    sb.append(text);
                    return true;
                });
        return sb.toString();
    }
}
