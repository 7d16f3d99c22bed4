package dev.junction.engine.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChatTemplateTest {
    private static final String LLAMA_BOS = "<|begin_of_text|>";
    private static final String LLAMA_EOS = "<|eot_id|>";
    private static final Clock JAN_15_2025 = Clock.fixed(Instant.parse("2025-01-15T12:00:00Z"), ZoneOffset.UTC);

    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("You are a helpful assistant."),
            ChatMessage.user("Hi"),
            ChatMessage.assistant("Hello! How can I help?"),
            ChatMessage.user("Tell me a joke."));

    static String resource(String name) {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /chat/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Llama 3 ---------------------------------------------------------------------------------------------

    @Test
    void llama3RendersHeadersWithBosPrefix() {
        ChatTemplate t = ChatTemplate.of(resource("llama3.jinja"), LLAMA_BOS, LLAMA_EOS);
        assertThat(t.render(CONVERSATION, true)).isEqualTo(
                "<|begin_of_text|>"
                        + "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nTell me a joke.<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void llama3TrimsContent() {
        ChatTemplate t = ChatTemplate.of(resource("llama3.jinja"), LLAMA_BOS, LLAMA_EOS);
        assertThat(t.render(List.of(ChatMessage.user("  Hi  \n")), true)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void llama32PutsTodaysDateInTheSystemMessage() {
        ChatTemplate t = ChatTemplate.of(resource("llama3_2-instruct.jinja"), LLAMA_BOS, LLAMA_EOS).withClock(JAN_15_2025);
        assertThat(t.render(CONVERSATION, true)).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                        + "Cutting Knowledge Date: December 2023\nToday Date: 15 Jan 2025\n\n"
                        + "You are a helpful assistant.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nTell me a joke.<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void llama32TakesDateStringFromExtraVariables() {
        ChatTemplate t = ChatTemplate.of(resource("llama3_2-instruct.jinja"), LLAMA_BOS, LLAMA_EOS);
        assertThat(t.render(List.of(ChatMessage.user("Hi")), false, Map.of("date_string", "26 Jul 2024"))).isEqualTo(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                        + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
    }

    // ---- Qwen ------------------------------------------------------------------------------------------------

    @Test
    void qwen25RendersChatMl() {
        ChatTemplate t = ChatTemplate.of(resource("qwen2_5-instruct.jinja"), null, "<|im_end|>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\nHello! How can I help?<|im_end|>\n"
                        + "<|im_start|>user\nTell me a joke.<|im_end|>\n"
                        + "<|im_start|>assistant\n");
    }

    @Test
    void qwen25AddsItsDefaultSystemPrompt() {
        ChatTemplate t = ChatTemplate.of(resource("qwen2_5-instruct.jinja"), null, "<|im_end|>");
        assertThat(t.render(List.of(ChatMessage.user("Hi")), true)).isEqualTo(
                "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void qwen25WithoutGenerationPrompt() {
        ChatTemplate t = ChatTemplate.of(resource("qwen2_5-instruct.jinja"), null, "<|im_end|>");
        assertThat(t.render(List.of(ChatMessage.system("S"), ChatMessage.user("U")), false))
                .isEqualTo("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n");
    }

    @Test
    void qwen3DropsEarlierThinkingAndHonoursEnableThinking() {
        ChatTemplate t = ChatTemplate.of(resource("qwen3.jinja"), null, "<|im_end|>");
        List<ChatMessage> conversation = List.of(ChatMessage.user("Hi"),
                ChatMessage.assistant("<think>\nhmm\n</think>\n\nHello!"), ChatMessage.user("Again"));
        assertThat(t.render(conversation, true)).isEqualTo(
                "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
                        + "<|im_start|>user\nAgain<|im_end|>\n<|im_start|>assistant\n");
        assertThat(t.render(List.of(ChatMessage.user("Hi")), true, Map.of("enable_thinking", false)))
                .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
    }

    // ---- Mistral ---------------------------------------------------------------------------------------------

    @Test
    void mistralFoldsSystemIntoFirstInstruction() {
        ChatTemplate t = ChatTemplate.of(resource("mistral-7b-instruct-v0.1.jinja"), "<s>", "</s>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo(
                "<s> [INST] You are a helpful assistant.\n\nHi [/INST] Hello! How can I help?</s>"
                        + " [INST] Tell me a joke. [/INST]");
    }

    @Test
    void mistralRaisesOnRolesThatDoNotAlternate() {
        ChatTemplate t = ChatTemplate.of(resource("mistral-7b-instruct-v0.1.jinja"), "<s>", "</s>");
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.user("a"), ChatMessage.user("b")), true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("conversation roles must alternate user/assistant/user/assistant/...")
                .extracting(e -> ((ChatTemplateException) e).templateMessage())
                .isEqualTo("After the optional system message, conversation roles must alternate "
                        + "user/assistant/user/assistant/...");
    }

    @Test
    void legacyMistralRejectsSystemMessages() {
        ChatTemplate t = ChatTemplate.of(resource("mistral-7b-instruct-v0.2-legacy.jinja"), "<s>", "</s>");
        assertThatThrownBy(() -> t.render(CONVERSATION, true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("Conversation roles must alternate");
        assertThat(t.render(CONVERSATION.subList(1, 4), true))
                .isEqualTo("<s>[INST] Hi [/INST]Hello! How can I help?</s>[INST] Tell me a joke. [/INST]");
    }

    // ---- all templates against Python Jinja2 -----------------------------------------------------------------

    static Stream<Arguments> jinja2Reference() throws IOException {
        JsonNode root = new ObjectMapper().readTree(resource("jinja2-reference.json"));
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode c : root.get("expected")) {
            JsonNode conversation = root.get("conversations").get(c.get("conversation").asText());
            List<ChatMessage> messages = new ArrayList<>();
            conversation.get("messages").forEach(m -> messages.add(new ChatMessage(m.get("role").asText(),
                    m.get("content").asText())));
            cases.add(Arguments.of(c.get("template").asText(), c.get("conversation").asText(), messages,
                    conversation.get("add_generation_prompt").asBoolean(), c.get("bos_token").asText(),
                    c.get("eos_token").asText(), c.has("output") ? c.get("output").asText() : null,
                    c.has("raises") ? c.get("raises").asText() : null));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("jinja2Reference")
    void rendersLikePythonJinja2(String template, String conversation, List<ChatMessage> messages, boolean addGen,
            String bos, String eos, String output, String raises) {
        ChatTemplate t = ChatTemplate.of(resource(template), bos, eos).withClock(JAN_15_2025);
        if (raises != null) {
            assertThatThrownBy(() -> t.render(messages, addGen))
                    .isInstanceOf(ChatTemplateException.class)
                    .extracting(e -> ((ChatTemplateException) e).templateMessage()).isEqualTo(raises);
        } else {
            assertThat(t.render(messages, addGen)).isEqualTo(output);
        }
    }

    // ---- Jinja features and failures -------------------------------------------------------------------------

    @Test
    void pythonStringMethodsAndLiterals() {
        String src = "{{ ' x '.strip() }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith(('x', 'c')) }}"
                + "|{{ 'a b  c'.split() | length }}|{{ 'a,b'.split(',')[1] }}|{{ 'hi'.upper() }}|{{ 'HI'.lower() }}"
                + "|{{ 'tab\\there' }}|{{ \"it's\" }}|{{ 'it\\'s' }}|{{ '\\\\' }}|{{ '\\u00e9' }}"
                + "|{{ '--x--'.lstrip('-') }}|{{ '--x--'.rstrip('-') }}|{{ ', '.join(['a', 'b']) }}";
        assertThat(ChatTemplate.of(src, "", "").render(List.of(), false))
                .isEqualTo("x|true|true|3|b|HI|hi|tab\there|it's|it's|\\|\u00e9|x--|--x|a, b");
    }

    @Test
    void hfEnvironmentFeatures() {
        String src = """
                {%- set ns = namespace(count=0) %}
                {%- for m in messages[1:] %}
                    {%- set ns.count = ns.count + 1 %}
                {%- endfor %}
                {{- ns.count }}|{{ tools is defined }}|{{ messages | selectattr('role', 'equalto', 'user') | list | length }}
                {%- for m in messages %}{{ '|' ~ loop.index0 }}{% if loop.last %}!{% endif %}{% endfor %}
                """;
        assertThat(ChatTemplate.of(src, "", "").render(CONVERSATION, false)).isEqualTo("3|false|2|0|1|2|3!");
    }

    @Test
    void trimAndLstripBlocksAsInHuggingFace() {
        String src = "{% for m in messages %}\n    {% if true %}\n[{{ m.role }}]\n    {% endif %}\n{% endfor %}\n";
        assertThat(ChatTemplate.of(src, "", "").render(CONVERSATION.subList(0, 2), false))
                .isEqualTo("[system]\n[user]\n");
    }

    @Test
    void syntaxErrorsFailAtCompileTime() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ m.role }}", "", ""))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("does not parse");
    }

    @Test
    void unknownMethodsFailInsteadOfRenderingWrongText() {
        ChatTemplate t = ChatTemplate.of("{{ messages[0].content.nosuchmethod() }}", "", "");
        assertThatThrownBy(() -> t.render(CONVERSATION, false)).isInstanceOf(ChatTemplateException.class);
    }

    @Test
    void rendersConcurrently() throws Exception {
        ChatTemplate t = ChatTemplate.of(resource("qwen2_5-instruct.jinja"), null, "<|im_end|>");
        String expected = t.render(CONVERSATION, true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> t.render(CONVERSATION, true)));
            }
            for (Future<String> f : results) {
                assertThat(f.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- fallbacks -------------------------------------------------------------------------------------------

    @Test
    void fallbackLlama3MatchesTheShippedTemplate() {
        String shipped = ChatTemplate.of(resource("llama3.jinja"), LLAMA_BOS, LLAMA_EOS).render(CONVERSATION, true);
        assertThat(ChatTemplate.fallbackFor("llama3", LLAMA_BOS, LLAMA_EOS).render(CONVERSATION, true))
                .isEqualTo(shipped);
        assertThat(ChatTemplate.fallbackFor("LLAMA3", LLAMA_BOS, LLAMA_EOS).render(List.of(ChatMessage.user("x")), false))
                .isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nx<|eot_id|>");
    }

    @Test
    void fallbackChatml() {
        assertThat(ChatTemplate.fallbackFor("chatml", null, "<|im_end|>").render(CONVERSATION.subList(0, 2), true))
                .isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void fallbackLlama2() {
        assertThat(ChatTemplate.fallbackFor("llama2", "<s>", "</s>").render(CONVERSATION, true))
                .isEqualTo("<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nHi [/INST]"
                        + " Hello! How can I help? </s><s>[INST] Tell me a joke. [/INST]");
    }

    @Test
    void fallbackMistralIsTheV01Template() {
        assertThat(ChatTemplate.fallbackFor("mistral", "<s>", "</s>").render(CONVERSATION, true))
                .isEqualTo(ChatTemplate.of(resource("mistral-7b-instruct-v0.1.jinja"), "<s>", "</s>")
                        .render(CONVERSATION, true));
    }

    @Test
    void fallbackZephyr() {
        assertThat(ChatTemplate.fallbackFor("zephyr", "<s>", "</s>").render(CONVERSATION.subList(0, 2), true))
                .isEqualTo("<|system|>\nYou are a helpful assistant.</s>\n<|user|>\nHi</s>\n<|assistant|>\n");
    }

    @Test
    void fallbackPlainJustContinuesTheText() {
        ChatTemplate plain = ChatTemplate.fallbackFor("plain", "<s>", "</s>");
        assertThat(plain.render(List.of(ChatMessage.user("Once upon a time")), true)).isEqualTo("<s>Once upon a time");
        assertThat(plain.render(CONVERSATION.subList(0, 2), true)).isEqualTo("<s>You are a helpful assistant.\nHi");
    }

    @Test
    void unknownFallbackFamily() {
        assertThatIllegalArgumentException().isThrownBy(() -> ChatTemplate.fallbackFor("gpt5", "", ""))
                .withMessageContaining("unknown chat template family 'gpt5'").withMessageContaining("chatml");
    }

    @Test
    void detectPrefersTheFilesTemplateThenTheVocabulary() {
        String own = "{{ 'own' }}";
        assertThat(ChatTemplate.detect(Optional.of(own), s -> true, "", "").source()).isEqualTo(own);
        Set<String> llama3 = Set.of("<|start_header_id|>", "<|eot_id|>");
        Set<String> qwen = Set.of("<|im_start|>", "<|im_end|>");
        Set<String> mistral = Set.of("[INST]", "[/INST]");
        Set<String> base = Set.of("<s>", "</s>", "hello");
        List<ChatMessage> hi = List.of(ChatMessage.user("Hi"));
        assertThat(ChatTemplate.detect(Optional.of("  "), llama3::contains, LLAMA_BOS, LLAMA_EOS).render(hi, true))
                .startsWith("<|begin_of_text|><|start_header_id|>user");
        assertThat(ChatTemplate.detect(Optional.empty(), qwen::contains, "", "").render(hi, true))
                .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(ChatTemplate.detect(Optional.empty(), mistral::contains, "<s>", "</s>").render(hi, true))
                .isEqualTo("<s> [INST] Hi [/INST]");
        assertThat(ChatTemplate.detect(Optional.empty(), base::contains, "<s>", "</s>").render(hi, true))
                .isEqualTo("<s>Hi");
    }

    @Test
    void chatMessageValidates() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ChatMessage(" ", "x"));
        assertThatThrownBy(() -> new ChatMessage("user", null)).isInstanceOf(NullPointerException.class);
        assertThat(ChatMessage.tool("r").role()).isEqualTo("tool");
        assertThat(ChatMessage.developer("d").role()).isEqualTo("developer");
    }

    @Test
    void usesTellsWhetherTheTemplateReadsAVariable() {
        ChatTemplate t = ChatTemplate.of("{%- if enable_thinking is defined and not enable_thinking %}x{% endif %}"
                + "{{ messages[0]['reasoning_effort'] }}{{ message.depth }}", "", "");
        assertThat(t.uses("enable_thinking")).isTrue();
        assertThat(t.uses("reasoning_effort")).isFalse(); // only a key in quotes
        assertThat(t.uses("depth")).isFalse(); // only an attribute
        assertThat(t.uses("thinking")).isFalse(); // only part of a word
        assertThat(ChatTemplate.of("{{ reasoning_effort | default('medium') }}", "", "").uses("reasoning_effort"))
                .isTrue();
    }
}
