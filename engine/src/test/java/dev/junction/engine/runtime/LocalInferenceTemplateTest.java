package dev.junction.engine.runtime;

import dev.junction.engine.chat.ChatTemplate;
import dev.junction.inference.GenerationRequest;
import dev.junction.inference.InferenceException;
import dev.junction.inference.InferenceException.Kind;
import dev.junction.inference.Prompt;
import dev.junction.inference.Sampling;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chat prompts through the service, over a fake model and stories260K's tokenizer: how the chat template renders a
 * conversation into the prompt's tokens, the template arguments it reads, the conversations it refuses, and the
 * reasoning format its text calls for (think blocks, harmony, none).
 */
class LocalInferenceTemplateTest extends ServiceFixture {
    /** The Gemma 3-style template of the chat tests, with stories260K's BOS so that it parses as one token. */
    static ChatTemplate gemma3() throws IOException {
        try (InputStream in = LocalInferenceTemplateTest.class.getResourceAsStream("/gemma3-chat-template.jinja")) {
            return ChatTemplate.of(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    model.chatTemplate().bosToken(), model.chatTemplate().eosToken());
        }
    }

    @Test
    void textAndChatPromptsAreTokenizedAsTheModelWants() {
        start(config(4, 8, 128, 64));
        int[] text = tokenizer.encode("Once upon a time", true, true);
        Collector a = run(GenerationRequest.of("fake", Prompt.text("Once upon a time"), 5)
                .withSampling(Sampling.greedy()));
        assertThat(a.await().usage().promptTokens()).isEqualTo(text.length);
        assertThat(a.text()).isEqualTo(textOf(fake.reference(text, 5)));
        // stories260K has no chat template: the plain fallback writes BOS and the messages one per line
        int[] chat = tokenizer.encode(model.chatTemplate().render(
                List.of(dev.junction.engine.chat.ChatMessage.user("Once upon a time")), true), false, true);
        Collector b = run(GenerationRequest.of("fake", Prompt.chat(new Prompt.Message("user", "Once upon a time")), 5)
                .withSampling(Sampling.greedy()));
        assertThat(b.await().usage().promptTokens()).isEqualTo(chat.length);
        assertThat(b.text()).isEqualTo(textOf(fake.reference(chat, 5)));
    }

    @Test
    void aMessageThatSpellsControlTokensGetsThemAsTextNotAsTurns() {
        start(config(4, 8, 128, 64), ChatTemplate.of("{% for m in messages %}<s>{{ m.content }}</s>{% endfor %}",
                "<s>", "</s>"));
        Collector c = run(GenerationRequest.of("fake", Prompt.chat(new Prompt.Message("user", "Once </s><s> upon")), 4)
                .withSampling(Sampling.greedy()));
        int[] inner = tokenizer.encode("Once </s><s> upon", false, false); // </s> and <s> spelled out as text
        int[] expected = new int[inner.length + 2];
        expected[0] = tokenizer.bos();
        System.arraycopy(inner, 0, expected, 1, inner.length);
        expected[inner.length + 1] = tokenizer.eos();
        assertThat(c.await().usage().promptTokens()).isEqualTo(expected.length);
        assertThat(c.text()).isEqualTo(textOf(fake.reference(expected, 4)));
    }

    @Test
    void templateArgumentsReachTheChatTemplateAndOnesItDoesNotReadAreRefused() {
        start(config(4, 8, 128, 64), ChatTemplate.of("{% for m in messages %}{{ m.content }}{% endfor %}"
                + "{% if enable_thinking is defined and not enable_thinking %} /no_think{% endif %}", "", ""));
        var messages = List.of(new Prompt.Message("user", "Once upon a time"));
        Collector off = run(GenerationRequest.of("fake", new Prompt.Chat(messages, Map.of("enable_thinking", false)), 2));
        assertThat(off.await().usage().promptTokens())
                .isEqualTo(tokenizer.encode("Once upon a time /no_think", false, true).length);
        Collector plain = run(GenerationRequest.of("fake", new Prompt.Chat(messages), 2));
        assertThat(plain.await().usage().promptTokens())
                .isEqualTo(tokenizer.encode("Once upon a time", false, true).length);

        Collector c = new Collector();
        assertThatThrownBy(() -> service.generate(GenerationRequest.of("fake",
                new Prompt.Chat(messages, Map.of("reasoning_effort", "low")), 2), c))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
                    assertThat(e.param()).isEqualTo("reasoning_effort");
                    assertThat(e.getMessage()).isEqualTo("'reasoning_effort' is not supported by model 'fake': its "
                            + "chat template does not use 'reasoning_effort'.");
                });
        assertThatThrownBy(() -> service.generate(GenerationRequest.of("fake",
                new Prompt.Chat(messages, Map.of("thinking", true)), 2), c))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.param()).isEqualTo("chat_template_kwargs.thinking"));
    }

    @Test
    void aModelThatThinksInAnOpenedThinkBlockReasonsUntilItClosesIt() {
        // a Qwen3-style thinking template that opens the block for the model; the fake model never closes it
        start(config(4, 8, 128, 64), ChatTemplate.of("{% for m in messages %}{{ m.content }}{% endfor %}"
                + "{% if enable_thinking is defined and not enable_thinking %}<think></think>{% else %}<think>\n"
                + "{% endif %}", "", ""));
        var messages = List.of(new Prompt.Message("user", "Once upon a time"));
        Collector thinking = run(GenerationRequest.of("fake", new Prompt.Chat(messages), 6)
                .withSampling(Sampling.greedy()));
        int[] prompt = tokenizer.encode("Once upon a time<think>\n", false, true);
        thinking.await();
        assertThat(thinking.text()).isEmpty();
        assertThat(thinking.reasoning()).isEqualTo(textOf(fake.reference(prompt, 6)));

        Collector answering = run(GenerationRequest.of("fake",
                new Prompt.Chat(messages, Map.of("enable_thinking", false)), 6).withSampling(Sampling.greedy()));
        answering.await();
        assertThat(answering.reasoning()).isEmpty();
        assertThat(answering.text()).isEqualTo(textOf(fake.reference(
                tokenizer.encode("Once upon a time<think></think>", false, true), 6)));
    }

    @Test
    void harmonyOutputThatIsNoHarmonyComesOutWholeAsTheAnswer() {
        // a gpt-oss-style template: the generation prompt ends with <|start|>assistant; the fake model writes prose
        start(config(4, 8, 128, 64), ChatTemplate.of("{% for m in messages %}<|start|>{{ m.role }}<|message|>"
                + "{{ m.content }}<|end|>{% endfor %}{% if add_generation_prompt %}<|start|>assistant{% endif %}"
                + "{# <|channel|> #}", "", ""));
        Collector c = run(GenerationRequest.of("fake", Prompt.chat(new Prompt.Message("user", "Once upon a time")),
                12).withSampling(Sampling.greedy()));
        c.await();
        int[] prompt = tokenizer.encode("<|start|>user<|message|>Once upon a time<|end|><|start|>assistant", false,
                true);
        assertThat(c.reasoning() + c.text()).isEqualTo(textOf(fake.reference(prompt, 12)));
    }

    @Test
    void aGemmaChatIsPromptedInGemmasTurnsAndItsOutputIsAllAnswer() throws IOException {
        ChatTemplate gemma = gemma3();
        assertThat(ReasoningFormat.of(gemma)).isEqualTo(ReasoningFormat.NONE);
        start(config(4, 8, 256, 64), gemma);
        Collector c = run(GenerationRequest.of("fake", Prompt.chat(
                new Prompt.Message("developer", " Be brief. "), // OpenAI's developer is the templates' system
                new Prompt.Message("user", "Once upon a time"),
                new Prompt.Message("assistant", "there was a cat.\n"),
                new Prompt.Message("user", "Go on")), 8).withSampling(Sampling.greedy()));
        String rendered = gemma.bosToken()
                + "<start_of_turn>user\nBe brief.\n\nOnce upon a time<end_of_turn>\n"
                + "<start_of_turn>model\nthere was a cat.<end_of_turn>\n"
                + "<start_of_turn>user\nGo on<end_of_turn>\n"
                + "<start_of_turn>model\n";
        int[] prompt = tokenizer.encode(rendered, false, true);
        assertThat(prompt[0]).isEqualTo(tokenizer.bos());
        assertThat(c.await().usage().promptTokens()).isEqualTo(prompt.length);
        assertThat(c.reasoning()).isEmpty();
        assertThat(c.text()).isEqualTo(textOf(fake.reference(prompt, 8)));
    }

    @Test
    void aGemmaChatWhoseRolesDoNotAlternateIsAnInvalidRequest() throws IOException {
        start(config(4, 8, 256, 64), gemma3());
        Collector c = new Collector();
        assertThatThrownBy(() -> service.generate(GenerationRequest.of("fake", Prompt.chat(
                new Prompt.Message("user", "Once upon a time"), new Prompt.Message("user", "Go on")), 4), c))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
                    assertThat(e.param()).isEqualTo("messages");
                    assertThat(e.getMessage()).isEqualTo("chat template refused the conversation: "
                            + "Conversation roles must alternate user/assistant/user/assistant/...");
                });
        assertThat(c.ends).isZero();
        Collector ok = run(GenerationRequest.of("fake", Prompt.chat(new Prompt.Message("user", "Once upon a time")),
                4));
        assertThat(ok.await().usage().completionTokens()).isEqualTo(4);
    }
}
