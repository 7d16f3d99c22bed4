package dev.junction.engine.chat.reasoning;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code <think>} blocks as Qwen3 and DeepSeek-R1 write them, each checked at every cut. */
class ThinkParserTest {

    private static ParsedOutput parse(String text) {
        return Feeding.checkEveryCut(() -> new ThinkParser(false), text);
    }

    private static ParsedOutput parseOpened(String text) {
        return Feeding.checkEveryCut(() -> new ThinkParser(true), text);
    }

    @Test
    void qwen3ThinkBlockThenAnswer() {
        ParsedOutput out = parse("<think>\nThe user greets me.\n</think>\n\nHello! How can I help?");
        assertThat(out.reasoning()).isEqualTo("\nThe user greets me.\n");
        assertThat(out.content()).isEqualTo("\n\nHello! How can I help?");
        assertThat(out.toolCalls()).isEmpty();
    }

    @Test
    void templateOpenedTheBlock() {
        // DeepSeek-R1 and Qwen3 thinking templates end the prompt with <think>\n
        ParsedOutput out = parseOpened("Okay, 2+2=4.\n</think>\n\n**4**");
        assertThat(out.reasoning()).isEqualTo("Okay, 2+2=4.\n");
        assertThat(out.content()).isEqualTo("\n\n**4**");
    }

    @Test
    void noThinkBlock() {
        assertThat(parse("Just an answer.").content()).isEqualTo("Just an answer.");
        assertThat(parse("").content()).isEmpty();
        // Qwen3 with thinking off: the empty block is in the prompt, the output has none
        assertThat(parse("\n\nAnswer").content()).isEqualTo("\n\nAnswer");
        assertThat(parse("<think>\n\n</think>\n\nAnswer").reasoning()).isEqualTo("\n\n");
    }

    @Test
    void unclosedBlockStaysReasoning() {
        ParsedOutput out = parse("<think>still thinking when the limit hit");
        assertThat(out.reasoning()).isEqualTo("still thinking when the limit hit");
        assertThat(out.content()).isEmpty();
        assertThat(parseOpened("cut </thi").reasoning()).isEqualTo("cut </thi");
    }

    @Test
    void blocksDoNotNestAndStrayTagsAreText() {
        ParsedOutput nested = parse("<think>a<think>b</think>c</think>d");
        assertThat(nested.reasoning()).isEqualTo("a<think>b");
        assertThat(nested.content()).isEqualTo("c</think>d");
        ParsedOutput two = parse("x<think>r1</think>y<think>r2</think>z");
        assertThat(two.reasoning()).isEqualTo("r1r2");
        assertThat(two.content()).isEqualTo("xyz");
        assertThat(parse("a </think> b").content()).isEqualTo("a </think> b");
        assertThat(parse("<thinking>no</thinking>").content()).isEqualTo("<thinking>no</thinking>");
        assertThat(parse("<Think>no").content()).isEqualTo("<Think>no");
    }

    @Test
    void streamsAndHoldsOnlyAPossibleTag() {
        ThinkParser p = new ThinkParser(false);
        assertThat(p.feed("<thi")).isEmpty();
        assertThat(p.feed("nk>Hmm <")).containsExactly(new ReasoningEvent.Markup("<think>"),
                new ReasoningEvent.Reasoning("Hmm "));
        assertThat(p.insideThink()).isTrue();
        assertThat(p.feed("/think>")).containsExactly(new ReasoningEvent.Markup("</think>"));
        assertThat(p.insideThink()).isFalse();
        assertThat(p.feed("ok")).containsExactly(new ReasoningEvent.Content("ok"));
        assertThat(p.finish()).isEmpty();
    }

    @Test
    void randomTokenSoup() {
        String[] soup = {"<think>", "</think>", "<", "/", ">", "<th", "ink>", "</", "think", "\n", " ", "a", "😀",
                "\uDE00", "中", "<|end|>", "</think", "<<think>>"};
        Random random = new Random(7);
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + random.nextInt(30);
            for (int j = 0; j < n; j++) sb.append(soup[random.nextInt(soup.length)]);
            boolean opened = random.nextBoolean();
            Feeding.checkRandomCuts(() -> new ThinkParser(opened), sb.toString(), random, 4);
        }
    }
}
