package dev.junction.cli;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatText;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code junction serve} with the real engine and the default model, used through the official OpenAI Java SDK
 * exactly as an application would.
 */
class ServeTest {
    static final String MODEL = "stories260K";
    /** llama.cpp's greedy continuation of "Once upon a time" with stories260K (see the engine's tests). */
    static final String GREEDY_32 = ", there was a little girl named Lily. She loved to play outside in the park. "
            + "One day, she saw";

    static Serving serving;
    static OpenAIClient openai;

    @BeforeAll
    static void start() {
        var model = new Serving.NamedModel(MODEL, TestModels.stories260K());
        serving = Serving.start(List.of(model), EngineConfig.defaults().withContextLength(256),
                ServerConfig.defaults().withPort(0), 2, false, new PrintWriter(new StringWriter()));
        openai = OpenAiSdk.client(serving.baseUri());
    }

    @AfterAll
    static void stop() {
        openai.close();
        serving.close();
    }

    static CompletionCreateParams.Builder complete(String prompt, int maxTokens) {
        return CompletionCreateParams.builder().model(MODEL).prompt(prompt).maxTokens(maxTokens).temperature(0.0);
    }

    static ChatCompletionCreateParams.Builder chat(String message) {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(message).maxCompletionTokens(24);
    }

    static String text(Completion c) {
        return c.choices().getFirst().text();
    }

    @Test
    void aGreedyCompletionIsLlamaCppsContinuation() {
        Completion completion = openai.completions().create(complete("Once upon a time", 32).build());

        assertThat(text(completion)).isEqualTo(GREEDY_32);
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
        assertThat(completion.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(5);
            assertThat(u.completionTokens()).isEqualTo(32);
        });
    }

    @Test
    void aStreamedCompletionAddsUpToTheSameText() {
        List<Completion> chunks = OpenAiSdk.drain(openai.completions().createStreaming(
                complete("Once upon a time", 32).build()));

        assertThat(chunks.stream().filter(c -> !c.choices().isEmpty()).map(ServeTest::text)
                .collect(Collectors.joining())).isEqualTo(GREEDY_32);
    }

    @Test
    void aStopStringEndsTheOutputAndIsNotEmitted() {
        Completion completion = openai.completions().create(complete("Once upon a time", 32).stop(" Lily").build());

        assertThat(text(completion)).isEqualTo(", there was a little girl named");
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(CompletionChoice.FinishReason.STOP);
    }

    @Test
    void chatAnswersStreamedOrNot() {
        ChatCompletion completion = openai.chat().completions().create(chat("Tell me a story.").build());

        completion.validate();
        assertThat(completion.choices()).singleElement().satisfies(choice -> {
            assertThat(choice.message().content()).isPresent();
            assertThat(choice.finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP,
                    ChatCompletion.Choice.FinishReason.LENGTH);
        });
        assertThat(completion.usage().orElseThrow().completionTokens()).isBetween(1L, 24L);

        List<ChatCompletionChunk> chunks = OpenAiSdk.drain(openai.chat().completions().createStreaming(
                chat("Tell me a story.").temperature(0.0)
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build()));
        chunks.forEach(ChatCompletionChunk::validate);
        String streamed = chunks.stream().flatMap(c -> c.choices().stream())
                .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
        String whole = openai.chat().completions().create(chat("Tell me a story.").temperature(0.0).build())
                .choices().getFirst().message().content().orElseThrow();
        assertThat(streamed).isEqualTo(whole);
        assertThat(chunks.getLast().usage()).isPresent();
    }

    @Test
    void twoChoicesAndTheSameSeedGiveTheSameTexts() {
        ChatCompletionCreateParams params = chat("Tell me a story.").n(2).seed(42).temperature(1.0).build();
        ChatCompletion first = openai.chat().completions().create(params);
        ChatCompletion again = openai.chat().completions().create(params);

        assertThat(first.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L);
        assertThat(contents(again)).isEqualTo(contents(first));
        assertThat(contents(first).get(0)).isNotEqualTo(contents(first).get(1));
        ChatCompletion otherSeed = openai.chat().completions().create(chat("Tell me a story.").n(2).seed(43)
                .temperature(1.0).build());
        assertThat(contents(otherSeed)).isNotEqualTo(contents(first));
    }

    @Test
    void aDeveloperMessageActsAsTheSystemPrompt() {
        ChatCompletion asDeveloper = openai.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addDeveloperMessage("You tell stories.").addUserMessage("A story, please.")
                .maxCompletionTokens(16).temperature(0.0).build());
        ChatCompletion asSystem = openai.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addSystemMessage("You tell stories.").addUserMessage("A story, please.")
                .maxCompletionTokens(16).temperature(0.0).build());

        assertThat(contents(asDeveloper)).isEqualTo(contents(asSystem));
        assertThat(asDeveloper.usage().orElseThrow().promptTokens())
                .isEqualTo(asSystem.usage().orElseThrow().promptTokens());
    }

    static List<String> contents(ChatCompletion c) {
        return c.choices().stream().map(ch -> ch.message().content().orElse("")).toList();
    }

    @Test
    void logprobsDescribeTheChosenTokens() {
        ChatCompletion completion = openai.chat().completions().create(chat("Tell me a story.").temperature(0.0)
                .logprobs(true).topLogprobs(3).build());

        List<ChatCompletionTokenLogprob> tokens = completion.choices().getFirst().logprobs().orElseThrow().content()
                .orElseThrow();
        assertThat(tokens).isNotEmpty().allSatisfy(t -> {
            assertThat(t.logprob()).isLessThanOrEqualTo(0.0);
            assertThat(t.topLogprobs()).hasSize(3);
            // greedy: the chosen token is the most likely one
            assertThat(t.topLogprobs().getFirst().logprob()).isEqualTo(t.logprob());
            assertThat(t.topLogprobs().get(1).logprob()).isLessThanOrEqualTo(t.topLogprobs().getFirst().logprob());
        });
        assertThat(tokens.stream().map(ChatCompletionTokenLogprob::token).collect(Collectors.joining()))
                .isEqualTo(completion.choices().getFirst().message().content().orElseThrow());
    }

    @Test
    void echoWithLogprobsScoresEachPromptTokenTheWayGenerationWouldHaveChosenIt() {
        String prompt = "Once upon a time" + GREEDY_32.substring(0, GREEDY_32.indexOf("Lily.") + 5);
        Completion completion = openai.completions().create(complete(prompt, 1).echo(true).logprobs(2).build());

        CompletionChoice choice = completion.choices().getFirst();
        var logprobs = choice.logprobs().orElseThrow();
        List<String> tokens = logprobs.tokens().orElseThrow();
        assertThat(String.join("", tokens)).isEqualTo(choice.text()).startsWith(prompt);
        List<Double> scores = logprobs.tokenLogprobs().orElseThrow();
        assertThat(scores).hasSameSizeAs(tokens).allSatisfy(s -> assertThat(s).isLessThanOrEqualTo(0.0));
        assertThat(logprobs.textOffset().orElseThrow()).startsWith(0L, 4L, 9L); // "Once", " upon", " a"
        // the tokens after "Once upon a time" are the model's own greedy choices: each the most likely one
        var top = logprobs.topLogprobs().orElseThrow();
        for (int i = 4; i < tokens.size(); i++) {
            Map<String, JsonValue> alternatives = top.get(i)._additionalProperties();
            assertThat(alternatives).as(tokens.get(i)).containsKey(tokens.get(i));
            double best = alternatives.values().stream().mapToDouble(v -> v.convert(Double.class)).max().orElseThrow();
            assertThat(scores.get(i)).as(tokens.get(i)).isEqualTo(best);
        }
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(tokens.size()); // BOS + all but one
    }

    @Test
    void aTokenIdPromptIsEchoedAsTheSameTextWithOrWithoutLogprobs() {
        List<Long> ids = List.of(1L, 80L, 200L, 300L, 411L);
        // Read off stories260K's vocabulary (tokenizer.ggml.tokens): 1 = "<s>" (BOS, echoed as written),
        // 80 = "<0x4D>" (the byte 'M'), 200 = "<0xC5>" (a lone UTF-8 lead byte, so U+FFFD), 300 = "▁ha", 411 = "e".
        List<String> pieces = List.of("<s>", "M", "\uFFFD", " ha", "e");
        String echo = "<s>M\uFFFD hae";
        CompletionCreateParams.Builder request = CompletionCreateParams.builder().model(MODEL)
                .promptOfArrayOfTokens(ids).maxTokens(2).temperature(0.0).echo(true);

        String plain = openai.completions().create(request.build()).choices().getFirst().text();
        CompletionChoice scored = openai.completions().create(request.logprobs(0).build()).choices().getFirst();

        assertThat(plain).startsWith(echo).hasSizeGreaterThan(echo.length()).isEqualTo(scored.text());
        List<String> tokens = scored.logprobs().orElseThrow().tokens().orElseThrow();
        assertThat(tokens).hasSize(ids.size() + 2);
        assertThat(tokens.subList(0, ids.size())).containsExactlyElementsOf(pieces);
    }

    @Test
    void theModelIsListed() {
        assertThat(openai.models().list().data()).extracting(Model::id).containsExactly(MODEL);
        assertThat(openai.models().retrieve(MODEL).ownedBy()).isEqualTo("junction");
    }

    @Test
    void anUnknownModelIsNotFound() {
        var error = catchThrowableOfType(NotFoundException.class,
                () -> openai.chat().completions().create(chat("Hi").model("llama-9000").build()));

        assertThat(error.statusCode()).isEqualTo(404);
        assertThat(error.code()).contains("model_not_found");
    }

    @Test
    void aMalformedBodyIsABadRequestNamingTheField() {
        var error = catchThrowableOfType(BadRequestException.class, () -> openai.chat().completions().create(
                chat("Hi").putAdditionalBodyProperty("temperature", JsonValue.from("hot")).build()));

        assertThat(error.statusCode()).isEqualTo(400);
        assertThat(error.param()).contains("temperature");
    }

    @Test
    void aJsonResponseFormatIsRefusedRatherThanAnsweredAsText() {
        var error = catchThrowableOfType(BadRequestException.class, () -> openai.chat().completions().create(
                chat("Hi").responseFormat(ResponseFormatJsonObject.builder().build()).build()));

        assertThat(error.param()).contains("response_format");
        assertThat(error.getMessage()).contains("not supported by model '" + MODEL + "'");
        assertThat(openai.chat().completions().create(chat("Hi").responseFormat(ResponseFormatText.builder().build())
                .build()).choices()).hasSize(1);
    }

    @Test
    void aPromptLongerThanTheContextIsRefusedWithTheLimitAndTheCount() {
        String longPrompt = "Once upon a time there was a cat. ".repeat(60);
        var error = catchThrowableOfType(BadRequestException.class,
                () -> openai.completions().create(complete(longPrompt, 8).build()));

        assertThat(error.code()).contains("context_length_exceeded");
        assertThat(error.getMessage()).contains("256");
    }

    @Test
    void sixteenConcurrentGreedyRequestsReturnWhatEachReturnsAlone() throws Exception {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 16; i++) prompts.add(OPENINGS[i]);
        List<String> alone = new ArrayList<>();
        for (String p : prompts) alone.add(text(openai.completions().create(complete(p, 40).build())));

        List<Future<String>> together = new ArrayList<>();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String p : prompts) {
                together.add(clients.submit((Callable<String>) () ->
                        text(openai.completions().create(complete(p, 40).build()))));
            }
        }
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(together.get(i).get()).as("prompt %d: %s", i, prompts.get(i)).isEqualTo(alone.get(i));
        }
    }

    static final String[] OPENINGS = {
            "Once upon a time", "One day, a boy named Tom", "The sun was shining and", "Lily wanted to play with",
            "There was a big red ball", "A little bird lived in a tree", "Sam and his mom went to the store",
            "The cat was very hungry", "In a small house by the sea", "Max found a shiny key",
            "Mia loved to draw", "The dog ran fast", "Ben had a toy car", "It was a rainy day",
            "A kind old man", "The princess looked out of the window"};
}
