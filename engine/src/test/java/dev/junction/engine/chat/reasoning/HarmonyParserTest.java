package dev.junction.engine.chat.reasoning;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sequences written from OpenAI's harmony format description, each checked at every cut. */
class HarmonyParserTest {

    private static ParsedOutput parse(String text) {
        return Feeding.checkEveryCut(HarmonyParser::new, text);
    }

    private static ParsedOutput parseBetween(String text) {
        return Feeding.checkEveryCut(() -> new HarmonyParser(false), text);
    }

    @Test
    void analysisIsReasoningAndFinalIsContent() {
        ParsedOutput out = parse("<|channel|>analysis<|message|>User asks 2+2. Simple: 4.<|end|>"
                + "<|start|>assistant<|channel|>final<|message|>2 + 2 = 4.<|return|>");
        assertThat(out.reasoning()).isEqualTo("User asks 2+2. Simple: 4.");
        assertThat(out.content()).isEqualTo("2 + 2 = 4.");
        assertThat(out.toolCalls()).isEmpty();
    }

    @Test
    void eventsInOrderWithMarkup() {
        List<ReasoningEvent> events = new HarmonyParser().parse(
                "<|channel|>analysis<|message|>a<|end|><|start|>assistant<|channel|>final<|message|>b<|return|>");
        assertThat(Feeding.coalesce(events)).containsExactly(
                new ReasoningEvent.Markup("<|channel|>analysis<|message|>"),
                new ReasoningEvent.Reasoning("a"),
                new ReasoningEvent.Markup("<|end|><|start|>assistant<|channel|>final<|message|>"),
                new ReasoningEvent.Content("b"),
                new ReasoningEvent.Markup("<|return|>"));
    }

    @Test
    void functionCallWithConstrainIsARawToolCall() {
        ParsedOutput out = parse("<|channel|>analysis<|message|>Need the weather; call get_weather.<|end|>"
                + "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>"
                + "{\"location\":\"San Francisco\"}<|call|>");
        assertThat(out.reasoning()).isEqualTo("Need the weather; call get_weather.");
        assertThat(out.content()).isEmpty();
        assertThat(out.toolCalls()).containsExactly(new ReasoningEvent.ToolCall("functions.get_weather",
                "commentary", "json", "assistant<|channel|>commentary to=functions.get_weather <|constrain|>json",
                "{\"location\":\"San Francisco\"}", true));
    }

    @Test
    void recipientInTheRolePart() {
        ParsedOutput out = parseBetween("<|start|>assistant to=functions.lookup<|channel|>commentary json<|message|>"
                + "{\"id\":7}<|call|>");
        ReasoningEvent.ToolCall call = out.toolCalls().getFirst();
        assertThat(call.recipient()).isEqualTo("functions.lookup");
        assertThat(call.channel()).isEqualTo("commentary");
        assertThat(call.contentType()).isEmpty();
        assertThat(call.arguments()).isEqualTo("{\"id\":7}");
        // right after the prompt's <|start|>assistant the role is absent
        ParsedOutput first = parse(" to=functions.lookup<|channel|>commentary<|message|>{}<|call|>");
        assertThat(first.toolCalls().getFirst().recipient()).isEqualTo("functions.lookup");
    }

    @Test
    void preambleOnCommentaryIsContentThenToolCall() {
        ParsedOutput out = parse("<|channel|>analysis<|message|>Plan.<|end|>"
                + "<|start|>assistant<|channel|>commentary<|message|>Let me check that.<|end|>"
                + "<|start|>assistant<|channel|>commentary to=functions.search <|constrain|>json<|message|>"
                + "{\"q\":\"ü 😀\"}<|call|>");
        assertThat(out.reasoning()).isEqualTo("Plan.");
        assertThat(out.content()).isEqualTo("Let me check that.");
        assertThat(out.toolCalls()).hasSize(1);
        assertThat(out.toolCalls().getFirst().arguments()).isEqualTo("{\"q\":\"ü 😀\"}");
    }

    @Test
    void builtinToolOnAnalysisChannel() {
        ParsedOutput out = parse("<|channel|>analysis to=browser.search code<|message|>{\"query\":\"harmony\"}<|call|>");
        assertThat(out.reasoning()).isEmpty();
        ReasoningEvent.ToolCall call = out.toolCalls().getFirst();
        assertThat(call.recipient()).isEqualTo("browser.search");
        assertThat(call.channel()).isEqualTo("analysis");
    }

    @Test
    void multiTurnReasoningAfterToolResult() {
        // a later generation: the prompt ended with the tool's answer and <|start|>assistant
        ParsedOutput out = parse("<|channel|>analysis<|message|>It is sunny, 20 C.<|end|>"
                + "<|start|>assistant<|channel|>final<|message|>Sunny and 20 °C in San Francisco.<|return|>");
        assertThat(out.reasoning()).isEqualTo("It is sunny, 20 C.");
        assertThat(out.content()).isEqualTo("Sunny and 20 °C in San Francisco.");
    }

    @Test
    void textEndingWithoutTerminatorIsKept() {
        assertThat(parse("<|channel|>final<|message|>Hi!").content()).isEqualTo("Hi!");
        assertThat(parse("<|channel|>final<|message|>abc<|en").content()).isEqualTo("abc<|en");
        assertThat(parse("<|channel|>analysis<|message|>thinking…").reasoning()).isEqualTo("thinking…");
        ParsedOutput cut = parse("<|channel|>commentary to=functions.f <|constrain|>json<|message|>{\"a\":");
        assertThat(cut.toolCalls()).containsExactly(new ReasoningEvent.ToolCall("functions.f", "commentary", "json",
                "<|channel|>commentary to=functions.f <|constrain|>json", "{\"a\":", false));
    }

    @Test
    void reasoningStreamsAndHoldsOnlyAPossibleMarker() {
        HarmonyParser p = new HarmonyParser();
        assertThat(p.feed("<|channel|>analysis")).isEmpty();
        assertThat(p.feed("<|message|>Hel")).containsExactly(
                new ReasoningEvent.Markup("<|channel|>analysis<|message|>"), new ReasoningEvent.Reasoning("Hel"));
        assertThat(p.feed("lo <|e")).containsExactly(new ReasoningEvent.Reasoning("lo "));
        assertThat(p.feed("x")).containsExactly(new ReasoningEvent.Reasoning("<|ex"));
        assertThat(p.feed("😀".substring(0, 1))).isEmpty();
        assertThat(p.feed("😀".substring(1))).containsExactly(new ReasoningEvent.Reasoning("😀"));
        assertThat(p.feed("<|end|>")).containsExactly(new ReasoningEvent.Markup("<|end|>"));
        assertThat(p.finish()).isEmpty();
        assertThat(p.finish()).isEmpty();
        assertThatThrownBy(() -> p.feed("x")).isInstanceOf(IllegalStateException.class);
    }

    // ---- malformed input: the rules in HarmonyParser's Javadoc ----

    @Test
    void plainTextIsContent() {
        assertThat(parse("Hello, world!").content()).isEqualTo("Hello, world!");
        assertThat(parse("\nHello").content()).isEqualTo("\nHello");
        assertThat(parse("Hello world").content()).isEqualTo("Hello world");
        assertThat(parse("").content()).isEmpty();
        assertThat(parseBetween("Hello world").content()).isEqualTo("Hello world");
    }

    @Test
    void missingEndBeforeNextMessage() {
        ParsedOutput a = parse("<|channel|>analysis<|message|>hmm<|channel|>final<|message|>ok");
        assertThat(a.reasoning()).isEqualTo("hmm");
        assertThat(a.content()).isEqualTo("ok");
        ParsedOutput b = parse("<|channel|>analysis<|message|>a<|start|>assistant<|channel|>final<|message|>b");
        assertThat(b.reasoning()).isEqualTo("a");
        assertThat(b.content()).isEqualTo("b");
        ParsedOutput c = parse("<|channel|>commentary to=functions.f<|message|>{}<|start|>assistant"
                + "<|channel|>final<|message|>done");
        assertThat(c.toolCalls().getFirst().complete()).isTrue();
        assertThat(c.content()).isEqualTo("done");
    }

    @Test
    void strayMarkersBetweenMessagesAreContent() {
        assertThat(parse("<|channel|>final<|message|>x<|end|><|end|>y").content()).isEqualTo("x<|end|>y");
        assertThat(parse("<|channel|>final<|message|>x<|return|><|message|>y<|call|>").content())
                .isEqualTo("x<|message|>y<|call|>");
        assertThat(parseBetween("junk<|start|>assistant<|channel|>final<|message|>x<|return|>").content())
                .isEqualTo("junkx");
    }

    @Test
    void messageAndConstrainInsideABodyAreBodyText() {
        assertThat(parse("<|channel|>final<|message|>a<|message|>b<|constrain|>c<|return|>").content())
                .isEqualTo("a<|message|>b<|constrain|>c");
        assertThat(parse("<|channel|>analysis<|message|>see <|endoftext|> and <|chan nel|><|end|>").reasoning())
                .isEqualTo("see <|endoftext|> and <|chan nel|>");
    }

    @Test
    void unknownOrMissingChannelIsContent() {
        assertThat(parse("<|channel|>weird<|message|>x<|end|>").content()).isEqualTo("x");
        assertThat(parse("<|message|>x<|end|>").content()).isEqualTo("x");
        assertThat(parse("assistant<|message|>x<|end|>").content()).isEqualTo("x");
        assertThat(parse("<|channel|>Analysis<|message|>x<|end|>").content()).isEqualTo("x");
    }

    @Test
    void implausibleHeadersBecomeContent() {
        String longHeader = "<|channel|>" + "a".repeat(300) + "<|message|>x";
        assertThat(parse(longHeader).content()).isEqualTo(longHeader);
        assertThat(parse("<|channel|>final, then<|message|>x").content()).isEqualTo("<|channel|>final, then<|message|>x");
        assertThat(parse("<|channel|>final\n<|message|>x").content()).isEqualTo("<|channel|>final\n<|message|>x");
        assertThat(parse("analysis").content()).isEqualTo("analysis");
        assertThat(parseBetween("<|message|>x").content()).isEqualTo("<|message|>x");
        assertThat(parse("<|channel|>final<|end|>x").content()).isEqualTo("<|channel|>final<|end|>x");
        // a header abandoned for <|start|> gives way to the new message
        ParsedOutput restart = parse("<|channel|>fin<|start|>assistant<|channel|>analysis<|message|>r<|end|>");
        assertThat(restart.content()).isEqualTo("<|channel|>fin");
        assertThat(restart.reasoning()).isEqualTo("r");
    }

    @Test
    void outputCutInsideAMarkedHeaderLeavesItAsMarkup() {
        assertThat(parse("<|channel|>final<|message|>a<|end|><|start|>assistant").content()).isEqualTo("a");
        assertThat(parse("<|channel|>analy").content()).isEmpty();
        List<ReasoningEvent> events = Feeding.coalesce(new HarmonyParser().parse("<|channel|>commentary to=fun"));
        assertThat(events).containsExactly(new ReasoningEvent.Markup("<|channel|>commentary to=fun"));
        assertThat(parse("<|channel|>final<|message|>a<|end|><|start|>").content()).isEqualTo("a");
    }

    @Test
    void headerAtTheLengthLimit() {
        String name = "a".repeat(HarmonyParser.MAX_HEADER - "<|channel|>".length());
        assertThat(parse("<|channel|>" + name + "<|message|>x").content()).isEqualTo("x");
        assertThat(parse("<|channel|>" + name + "b<|message|>x").content())
                .isEqualTo("<|channel|>" + name + "b<|message|>x");
    }

    @Test
    void longConversationInRandomPieces() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            if (i > 0) sb.append("<|start|>assistant");
            sb.append("<|channel|>analysis<|message|>step ").append(i).append(" 😀<|end|><|start|>assistant")
                    .append("<|channel|>final<|message|>answer ").append(i).append("<|end|>");
        }
        ParsedOutput out = ParsedOutput.of(new HarmonyParser().parse(sb.toString()));
        assertThat(out.reasoning()).startsWith("step 0 😀step 1 😀").endsWith("step 299 😀");
        assertThat(out.content()).startsWith("answer 0answer 1").endsWith("answer 299");
        Feeding.checkRandomCuts(HarmonyParser::new, sb.toString(), new Random(1), 3);
    }

    /** Random soup of harmony markers, their fragments, header words and text: never throws, nothing lost. */
    @Test
    void randomTokenSoup() {
        String[] soup = {"<|start|>", "<|end|>", "<|return|>", "<|call|>", "<|message|>", "<|channel|>",
                "<|constrain|>", "<|", "|>", "<|chan", "nel|>", "<|en", "d|>", "<", "|", ">", "assistant", "analysis",
                "final", "commentary", " to=functions.f", " to=", "json", " ", "\n", "hello", ",", ".", "=", "x",
                "😀", "\uD83D", "ü", "中文", "<think>", "</think>", "{\"a\":1}", "a".repeat(130)};
        Random random = new Random(42);
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + random.nextInt(30);
            for (int j = 0; j < n; j++) sb.append(soup[random.nextInt(soup.length)]);
            String text = sb.toString();
            boolean after = random.nextBoolean();
            Feeding.checkRandomCuts(() -> new HarmonyParser(after), text, random, 4);
        }
    }
}
