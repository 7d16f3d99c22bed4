package dev.junction.cli;

import com.openai.client.OpenAIClient;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.GgufWriter;
import dev.junction.engine.gguf.LoadProgress;
import dev.junction.engine.model.ModelConfig;
import dev.junction.engine.model.SyntheticModel;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.engine.tensor.GgmlType;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code junction serve} with a synthesized gpt-oss-shaped model (MoE with MXFP4 experts, sinks, sliding window,
 * YaRN) that carries the o200k harmony vocabulary and a harmony chat template, used through the official OpenAI
 * SDK: whatever the random weights emit, the answer is well formed, {@code reasoning_effort} reaches the template,
 * and reasoning (the analysis channel) never leaks into the content.
 */
class HarmonyServeTest {
    static final String MODEL = "gpt-oss-tiny";

    @TempDir
    static Path dir;
    static Serving serving;
    static OpenAIClient openai;

    @BeforeAll
    static void start() throws IOException {
        Path vocab = dir.resolve("harmony-vocab.gguf");
        try (GgufFile o200k = GgufFile.open(TestModels.file("vocab/ggml-vocab-gpt-4o.gguf"));
             InputStream template = HarmonyServeTest.class.getResourceAsStream("/harmony-chat-template.jinja")) {
            GgufWriter w = new GgufWriter();
            o200k.metadata().asMap().forEach(w::put);
            w.putString("tokenizer.chat_template",
                    new String(Objects.requireNonNull(template).readAllBytes(), StandardCharsets.UTF_8));
            w.write(vocab);
        }
        Path model = dir.resolve(MODEL + ".gguf");
        new SyntheticModel("gpt-oss", 64, 2, 4, 2, 64, 0, 512, 150000f, false, GgmlType.MXFP4, GgmlType.Q8_0, null,
                vocab, 7, 0.02f, new SyntheticModel.Shape(16, new ModelConfig.Experts(4, 2, 64), 8))
                .write(model, LoadProgress.NONE);
        serving = Serving.start(List.of(new Serving.NamedModel(MODEL, model)),
                EngineConfig.defaults().withContextLength(512), ServerConfig.defaults().withPort(0), 2, false,
                new PrintWriter(new StringWriter()));
        openai = OpenAiSdk.client(serving.baseUri());
    }

    @AfterAll
    static void stop() {
        if (openai != null) openai.close();
        if (serving != null) serving.close();
    }

    static ChatCompletionCreateParams.Builder chat(long seed) {
        return ChatCompletionCreateParams.builder().model(MODEL).addSystemMessage("Answer briefly.")
                .addUserMessage("What is the capital of France?").reasoningEffort(ReasoningEffort.LOW)
                .maxCompletionTokens(24).temperature(1.0).seed(seed);
    }

    @Test
    void answersAreWellFormedWhateverTheRandomModelEmits() {
        for (long seed = 1; seed <= 4; seed++) {
            ChatCompletion completion = openai.chat().completions().create(chat(seed).build());
            completion.validate();
            ChatCompletion.Choice choice = completion.choices().getFirst();
            String content = choice.message().content().orElse("");
            assertThat(content).doesNotContain("<|channel|>", "<|message|>", "<|start|>", "<|end|>");
            var reasoning = choice.message()._additionalProperties().get("reasoning_content");
            if (reasoning != null) assertThat(reasoning.asString()).isPresent();
            assertThat(completion.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isBetween(1L, 24L));
        }
    }

    @Test
    void aStreamAddsUpToTheAnswerOfTheSameSeed() {
        ChatCompletion whole = openai.chat().completions().create(chat(9).build());
        List<ChatCompletionChunk> chunks = OpenAiSdk.drain(openai.chat().completions().createStreaming(chat(9).build()));
        chunks.forEach(ChatCompletionChunk::validate);
        String streamed = chunks.stream().flatMap(c -> c.choices().stream())
                .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
        assertThat(streamed).isEqualTo(whole.choices().getFirst().message().content().orElse(""));
        String streamedReasoning = chunks.stream().flatMap(c -> c.choices().stream())
                .map(c -> c.delta()._additionalProperties().get("reasoning_content"))
                .filter(Objects::nonNull).map(v -> String.valueOf(v.asString().orElse(""))).collect(Collectors.joining());
        var wholeReasoning = whole.choices().getFirst().message()._additionalProperties().get("reasoning_content");
        assertThat(streamedReasoning).isEqualTo(wholeReasoning == null ? "" : String.valueOf(wholeReasoning.asString().orElse("")));
    }
}
