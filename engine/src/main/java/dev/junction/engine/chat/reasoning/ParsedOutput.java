package dev.junction.engine.chat.reasoning;

import java.util.ArrayList;
import java.util.List;

/**
 * The events of one response gathered: all reasoning text, all content text and the tool calls, in order.
 *
 * @param reasoning the {@link ReasoningEvent.Reasoning} texts joined
 * @param content   the {@link ReasoningEvent.Content} texts joined
 * @param toolCalls the {@link ReasoningEvent.ToolCall}s in order
 */
public record ParsedOutput(String reasoning, String content, List<ReasoningEvent.ToolCall> toolCalls) {
    public ParsedOutput {
        toolCalls = List.copyOf(toolCalls);
    }

    /** Gathers {@code events}; {@link ReasoningEvent.Markup} is left out. */
    public static ParsedOutput of(List<? extends ReasoningEvent> events) {
        StringBuilder reasoning = new StringBuilder(), content = new StringBuilder();
        List<ReasoningEvent.ToolCall> calls = new ArrayList<>();
        for (ReasoningEvent e : events) {
            switch (e) {
                case ReasoningEvent.Reasoning r -> reasoning.append(r.text());
                case ReasoningEvent.Content c -> content.append(c.text());
                case ReasoningEvent.ToolCall t -> calls.add(t);
                case ReasoningEvent.Markup m -> { }
            }
        }
        return new ParsedOutput(reasoning.toString(), content.toString(), calls);
    }
}
