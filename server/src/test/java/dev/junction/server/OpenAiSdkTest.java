package dev.junction.server;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.FunctionDefinition;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.junction.inference.InferenceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The server as the official OpenAI Java SDK sees it: every response parses, streams end cleanly, errors arrive as
 * the SDK's typed exceptions.
 */
class OpenAiSdkTest {
    static final String MODEL = ScriptedService.MODEL;

    final ScriptedService service = new ScriptedService().replying("Hello", " world");
    final OpenAiServer server = OpenAiServer.start(ServerConfig.defaults().withPort(0), service);
    final OpenAIClient openai = OpenAiSdk.client(server.baseUri());

    @AfterEach
    void stop() {
        openai.close();
        server.close();
    }

    static ChatCompletionCreateParams.Builder chat(String userMessage) {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(userMessage);
    }

    @Test
    void chatCompletes() {
        ChatCompletion completion = openai.chat().completions().create(chat("Say hello").build());

        assertThat(completion.id()).startsWith("chatcmpl-");
        assertThat(completion.model()).isEqualTo(MODEL);
        assertThat(completion.choices()).singleElement().satisfies(choice -> {
            assertThat(choice.message().content()).contains("Hello world");
            assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        });
        assertThat(completion.usage()).hasValueSatisfying(usage -> {
            assertThat(usage.completionTokens()).isEqualTo(2);
            assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + 2);
        });
        completion.validate();
    }

    @Test
    void aClientThatDoesNotKnowReasoningContentSeesOnlyTheAnswer() {
        service.reasoningFirst("Thinking", " hard.");
        ChatCompletion completion = openai.chat().completions().create(chat("Say hello").build());
        completion.validate();
        assertThat(completion.choices().getFirst().message().content()).contains("Hello world");
        assertThat(completion.choices().getFirst().message()._additionalProperties().get("reasoning_content")
                .asString()).contains("Thinking hard.");

        List<ChatCompletionChunk> chunks = OpenAiSdk.drain(openai.chat().completions().createStreaming(
                chat("Say hello").build()));
        chunks.forEach(ChatCompletionChunk::validate);
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse(""))
                .collect(Collectors.joining())).isEqualTo("Hello world");
    }

    @Test
    void chatStreamsChunksThatAddUpToTheAnswer() {
        List<ChatCompletionChunk> chunks = OpenAiSdk.drain(openai.chat().completions().createStreaming(
                chat("Say hello").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                        .build()));

        chunks.forEach(ChatCompletionChunk::validate);
        String text = chunks.stream().flatMap(c -> c.choices().stream())
                .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
        assertThat(text).isEqualTo("Hello world");
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).flatMap(c -> c.finishReason().stream()))
                .containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        assertThat(chunks.getLast().usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(2));
    }

    @Test
    void twoChoicesComeBackIndexed() {
        ChatCompletion completion = openai.chat().completions().create(chat("Say hello").n(2).build());

        assertThat(completion.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L);

        List<ChatCompletionChunk> chunks = OpenAiSdk.drain(openai.chat().completions().createStreaming(
                chat("Say hello").n(2).build()));
        Map<Long, String> texts = chunks.stream().flatMap(c -> c.choices().stream()).collect(Collectors.groupingBy(
                ChatCompletionChunk.Choice::index,
                Collectors.mapping(c -> c.delta().content().orElse(""), Collectors.joining())));
        assertThat(texts).containsOnly(Map.entry(0L, "Hello world"), Map.entry(1L, "Hello world"));
    }

    @Test
    void stopStringsReachTheService() {
        openai.chat().completions().create(chat("Count").stopOfStrings(List.of("3", "\n")).build());

        assertThat(service.requests().getFirst().stop()).containsExactly("3", "\n");
    }

    @Test
    void logprobsParse() {
        ChatCompletion completion = openai.chat().completions().create(chat("Say hello").logprobs(true)
                .topLogprobs(2).build());

        List<ChatCompletionTokenLogprob> tokens = completion.choices().getFirst().logprobs().orElseThrow().content()
                .orElseThrow();
        assertThat(tokens).extracting(ChatCompletionTokenLogprob::token).containsExactly("Hello", " world");
        assertThat(tokens.getFirst().logprob()).isEqualTo(ScriptedService.LOGPROB);
        assertThat(tokens.getFirst().bytes()).contains(List.of(72L, 101L, 108L, 108L, 111L));
        assertThat(tokens.getFirst().topLogprobs()).hasSize(2);
    }

    @Test
    void anEchoedPromptsUnscoredFirstTokenParsesAsNull() {
        Completion completion = openai.completions().create(CompletionCreateParams.builder().model(MODEL)
                .prompt("Once upon").maxTokens(1).logprobs(0).echo(true).build());

        var logprobs = completion.choices().getFirst().logprobs().orElseThrow();
        assertThat(logprobs.tokens()).contains(List.of("Once", " upon", "Hello"));
        assertThat(logprobs.tokenLogprobs().orElseThrow()).containsExactly(null, -0.5, -0.5);
        assertThat(logprobs.topLogprobs().orElseThrow()).hasSize(3).first().isNull();
    }

    @Test
    void aTokenIdPromptIsEchoedAsItsScoredTokens() {
        Completion completion = openai.completions().create(CompletionCreateParams.builder().model(MODEL)
                .promptOfArrayOfTokens(List.of(5L, 7L)).maxTokens(1).logprobs(0).echo(true).build());

        assertThat(completion.choices().getFirst().text()).isEqualTo("#5 #7Hello");
        var logprobs = completion.choices().getFirst().logprobs().orElseThrow();
        assertThat(logprobs.tokens()).contains(List.of("#5", " #7", "Hello"));
        assertThat(logprobs.textOffset()).contains(List.of(0L, 2L, 5L));
    }

    @Test
    void aTokenIdPromptIsEchoedWithoutLogprobsToo() {
        Completion completion = openai.completions().create(CompletionCreateParams.builder().model(MODEL)
                .promptOfArrayOfTokens(List.of(5L, 7L)).maxTokens(1).echo(true).build());

        assertThat(completion.choices().getFirst().text()).isEqualTo("#5 #7Hello");
        assertThat(completion.choices().getFirst().logprobs()).isEmpty();
    }

    @Test
    void legacyCompletionsWorkStreamedOrNot() {
        Completion completion = openai.completions().create(CompletionCreateParams.builder().model(MODEL)
                .prompt("Once").maxTokens(1).logprobs(1).echo(false).build());

        assertThat(completion.choices().getFirst().text()).isEqualTo("Hello");
        assertThat(completion.choices().getFirst().finishReason())
                .isEqualTo(com.openai.models.completions.CompletionChoice.FinishReason.LENGTH);
        var logprobs = completion.choices().getFirst().logprobs().orElseThrow();
        assertThat(logprobs.tokens()).contains(List.of("Hello"));
        assertThat(logprobs.textOffset()).contains(List.of(0L));

        List<Completion> chunks = OpenAiSdk.drain(openai.completions().createStreaming(
                CompletionCreateParams.builder().model(MODEL).prompt("Once").build()));
        assertThat(chunks.stream().map(c -> c.choices().isEmpty() ? "" : c.choices().getFirst().text())
                .collect(Collectors.joining())).isEqualTo("Hello world");
    }

    @Test
    void modelsAreListedAndRetrieved() {
        assertThat(openai.models().list().data()).extracting(Model::id).containsExactly(MODEL);
        assertThat(openai.models().retrieve(MODEL).ownedBy()).isEqualTo("junction");
    }

    @Test
    void anUnknownModelIsNotFound() {
        var error = catchThrowableOfType(NotFoundException.class,
                () -> openai.chat().completions().create(chat("Hi").model("gpt-17").build()));

        assertThat(error.statusCode()).isEqualTo(404);
        assertThat(error.code()).contains("model_not_found");
        assertThat(error.param()).contains("model");
    }

    @Test
    void aMalformedBodyIsABadRequestNamingTheField() {
        var error = catchThrowableOfType(BadRequestException.class, () -> openai.chat().completions().create(
                chat("Hi").putAdditionalBodyProperty("max_tokens", JsonValue.from("ten")).build()));

        assertThat(error.param()).contains("max_tokens");
        assertThat(error.type()).contains("invalid_request_error");
    }

    @Test
    void anImageIsRefusedNamingThePart() {
        var image = ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url("https://example.com/a.png").build())
                .build());
        var error = catchThrowableOfType(BadRequestException.class, () -> openai.chat().completions().create(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessageOfArrayOfContentParts(List.of(image))
                        .build()));

        assertThat(error.param()).contains("messages[0].content[0].type");
    }

    @Test
    void toolsAreRefusedRatherThanIgnored() {
        var weather = ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder().name("get_weather").description("The weather in a city")
                        .build())
                .build();
        var error = catchThrowableOfType(BadRequestException.class, () -> openai.chat().completions().create(
                chat("What is the weather in Paris?").addTool(weather).build()));

        assertThat(error.param()).contains("tools");
        assertThat(error.type()).contains("invalid_request_error");
        assertThat(error.getMessage()).contains("'tools' is not supported by model '" + MODEL + "'");
        assertThat(service.requests()).isEmpty();
    }

    @Test
    void anOverloadedServerIsARateLimit() {
        service.refusing(new InferenceException(InferenceException.Kind.OVERLOADED, null, "queue full", 3, null));

        var error = catchThrowableOfType(RateLimitException.class,
                () -> openai.chat().completions().create(chat("Hi").build()));

        assertThat(error.headers().values("Retry-After")).containsExactly("3");
    }
}
