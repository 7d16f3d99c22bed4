package dev.junction.engine.runtime;

import dev.junction.engine.chat.ChatMessage;
import dev.junction.engine.chat.ChatTemplate;
import dev.junction.engine.chat.reasoning.ParsedOutput;
import dev.junction.engine.chat.reasoning.ReasoningParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which reasoning parser a model's chat template calls for, and where its output starts. */
class ReasoningFormatTest {
    static ChatTemplate qwen3() throws IOException {
        try (InputStream in = ReasoningFormatTest.class.getResourceAsStream("/chat/qwen3.jinja")) {
            return ChatTemplate.of(new String(in.readAllBytes(), StandardCharsets.UTF_8), null, "<|im_end|>");
        }
    }

    @Test
    void qwen3ThinksUnlessEnableThinkingIsFalse() throws IOException {
        ChatTemplate t = qwen3();
        assertThat(ReasoningFormat.of(t)).isEqualTo(ReasoningFormat.THINK);
        List<ChatMessage> hi = List.of(ChatMessage.user("Hi"));
        // the model opens its own think block
        ReasoningParser thinking = ReasoningFormat.THINK.parserAfter(t.render(hi, true));
        assertThat(ParsedOutput.of(thinking.parse("<think>\nPlan.\n</think>\n\nHello!")))
                .satisfies(p -> {
                    assertThat(p.reasoning()).isEqualTo("\nPlan.\n");
                    assertThat(p.content()).isEqualTo("\n\nHello!");
                });
        // enable_thinking false: the template closes an empty block, the output is all answer
        ReasoningParser off = ReasoningFormat.THINK.parserAfter(t.render(hi, true, Map.of("enable_thinking", false)));
        assertThat(ParsedOutput.of(off.parse("Hello!")).content()).isEqualTo("Hello!");
    }

    @Test
    void aTemplateThatOpensTheThinkBlockStartsTheOutputInsideIt() {
        ReasoningParser p = ReasoningFormat.THINK.parserAfter("<|im_start|>assistant\n<think>\n");
        ParsedOutput out = ParsedOutput.of(p.parse("Plan.</think>Answer."));
        assertThat(out.reasoning()).isEqualTo("Plan.");
        assertThat(out.content()).isEqualTo("Answer.");
    }

    @Test
    void harmonyTemplatesAndPlainOnes() {
        assertThat(ReasoningFormat.of(ChatTemplate.of("<|start|>assistant<|channel|>final<|message|>", "", "")))
                .isEqualTo(ReasoningFormat.HARMONY);
        ParsedOutput out = ParsedOutput.of(ReasoningFormat.HARMONY.parserAfter("…<|start|>assistant")
                .parse("<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>final<|message|>Hi."));
        assertThat(out.reasoning()).isEqualTo("Think.");
        assertThat(out.content()).isEqualTo("Hi.");
        assertThat(ReasoningFormat.of(ChatTemplate.of("{{ messages[0].content }}", "", "")))
                .isEqualTo(ReasoningFormat.NONE);
        assertThat(ReasoningFormat.NONE.parserAfter("anything")).isNull();
        assertThat(ReasoningFormat.of(null)).isEqualTo(ReasoningFormat.NONE);
    }
}
