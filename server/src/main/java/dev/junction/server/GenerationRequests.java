package dev.junction.server;

import dev.junction.inference.GenerationRequest;
import dev.junction.inference.Prompt;
import dev.junction.inference.Sampling;
import dev.junction.openai.GenerationOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Turns the OpenAI fields of one prompt into the {@code n} generation requests of its choices. */
final class GenerationRequests {
    private GenerationRequests() {
    }

    /**
     * Choice {@code j} of the prompt samples with {@code seed + j} when a seed is given, so each choice differs and
     * the whole request is still reproducible.
     *
     * @throws dev.junction.inference.InferenceException when a sampling value is out of range
     */
    /** What admission needs to know of a parsed request. */
    static RequestShape shape(String model, int bodyBytes, GenerationOptions options, int prompts) {
        return new RequestShape(model, bodyBytes, options.maxTokens() == null ? OptionalInt.empty()
                : OptionalInt.of(options.maxTokens()), options.n(), prompts, options.stream());
    }

    static List<GenerationRequest> of(String model, Prompt prompt, GenerationOptions options, boolean logprobs,
                                      int topLogprobs) {
        return of(model, prompt, options, logprobs, topLogprobs, false);
    }

    /** As above; with {@code promptLogprobs} the prompt's tokens are scored too. */
    static List<GenerationRequest> of(String model, Prompt prompt, GenerationOptions options, boolean logprobs,
                                      int topLogprobs, boolean promptLogprobs) {
        Sampling sampling = new Sampling(options.temperature(), options.topP(), options.topK(), options.minP(),
                options.presencePenalty(), options.frequencyPenalty(), options.logitBias(), options.seed());
        int maxTokens = options.maxTokens() == null ? 0 : options.maxTokens();
        List<GenerationRequest> requests = new ArrayList<>(options.n());
        for (int j = 0; j < options.n(); j++) {
            Sampling choiceSampling = options.seed() == null ? sampling : sampling.withSeed(options.seed() + j);
            requests.add(new GenerationRequest(model, prompt, choiceSampling, maxTokens, options.stop(), logprobs,
                    topLogprobs, promptLogprobs));
        }
        return requests;
    }
}
