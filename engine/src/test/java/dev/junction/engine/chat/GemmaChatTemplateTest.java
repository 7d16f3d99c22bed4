package dev.junction.engine.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Gemma 3's chat format, rendered by a template written for these tests from the public description of it (the
 * resource {@code gemma3-chat-template.jinja}, in the style of the template in gemma-3-*-it files): BOS first, no
 * system role, {@code <start_of_turn>user|model ... <end_of_turn>} turns with trimmed text, string or list-of-parts
 * content, and strictly alternating user/model turns.
 */
class GemmaChatTemplateTest {
    static final String BOS = "<bos>";
    static final String EOS = "<eos>";

    static String source() {
        try (InputStream in = GemmaChatTemplateTest.class.getResourceAsStream("/gemma3-chat-template.jinja")) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /gemma3-chat-template.jinja");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChatTemplate gemma3() {
        return ChatTemplate.of(source(), BOS, EOS);
    }

    @Test
    void theSystemMessageOpensTheFirstUserTurnAndTheAssistantIsTheModel() {
        List<ChatMessage> conversation = List.of(
                ChatMessage.system("  You are terse.  "),
                ChatMessage.user(" Hi \n"),
                ChatMessage.assistant("Hello!\n"),
                ChatMessage.user("Tell me a joke."));
        assertThat(gemma3().render(conversation, true)).isEqualTo("<bos>"
                + "<start_of_turn>user\nYou are terse.\n\nHi<end_of_turn>\n"
                + "<start_of_turn>model\nHello!<end_of_turn>\n"
                + "<start_of_turn>user\nTell me a joke.<end_of_turn>\n"
                + "<start_of_turn>model\n");
    }

    @Test
    void withoutASystemMessageTheTurnsStartAtTheUser() {
        List<ChatMessage> conversation = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
                ChatMessage.user("Again"));
        String turns = "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
                + "<start_of_turn>user\nAgain<end_of_turn>\n";
        assertThat(gemma3().render(conversation, false)).isEqualTo(turns);
        assertThat(gemma3().render(conversation, true)).isEqualTo(turns + "<start_of_turn>model\n");
    }

    @Test
    void listOfPartsContentIsTheTextOfItsPartsAndAnImageMarker() {
        // ChatMessage carries text only; list content reaches the template as a caller's own "messages" variable
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "system", "content", List.of(Map.of("type", "text", "text", "Be brief. "))),
                Map.of("role", "user", "content", List.of(Map.of("type", "image"),
                        Map.of("type", "text", "text", " What is this? "))),
                Map.of("role", "assistant", "content", List.of(Map.of("type", "text", "text", "A cat."))),
                Map.of("role", "user", "content", "And this?"));
        assertThat(gemma3().render(List.of(), true, Map.of("messages", messages))).isEqualTo("<bos>"
                + "<start_of_turn>user\nBe brief.\n\n<start_of_image>What is this?<end_of_turn>\n"
                + "<start_of_turn>model\nA cat.<end_of_turn>\n"
                + "<start_of_turn>user\nAnd this?<end_of_turn>\n"
                + "<start_of_turn>model\n");
    }

    @Test
    void rolesThatDoNotAlternateAreRefusedWithTheTemplatesText() {
        String text = "Conversation roles must alternate user/assistant/user/assistant/...";
        for (List<ChatMessage> conversation : List.of(
                List.of(ChatMessage.user("a"), ChatMessage.user("b")),
                List.of(ChatMessage.system("s"), ChatMessage.assistant("a")),
                List.of(ChatMessage.user("a"), ChatMessage.assistant("b"), ChatMessage.assistant("c")),
                List.of(ChatMessage.system("s"), ChatMessage.system("t"), ChatMessage.user("a")))) {
            assertThatThrownBy(() -> gemma3().render(conversation, true))
                    .as("%s", conversation)
                    .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                        assertThat(e.templateMessage()).isEqualTo(text);
                        assertThat(e.getMessage()).isEqualTo("chat template refused the conversation: " + text);
                    });
        }
    }

    @Test
    void theTemplateReadsNoReasoningSwitches() {
        ChatTemplate t = gemma3();
        assertThat(t.uses("enable_thinking")).isFalse();
        assertThat(t.uses("reasoning_effort")).isFalse();
        assertThat(t.source()).doesNotContain("<think>").doesNotContain("<|channel|>");
    }
}
