package dev.junction.engine.runtime;

import dev.junction.engine.chat.ChatTemplate;
import dev.junction.engine.chat.reasoning.HarmonyParser;
import dev.junction.engine.chat.reasoning.ReasoningParser;
import dev.junction.engine.chat.reasoning.ThinkParser;

/**
 * How a model writes its reasoning apart from its answer, as its chat template shows: OpenAI's harmony channels
 * (gpt-oss: the template writes {@code <|channel|>}), a {@code <think>} block (Qwen3, DeepSeek-R1), or not at all.
 * Only chat prompts are parsed; a text prompt is continued as it is.
 */
enum ReasoningFormat {
    NONE,
    HARMONY,
    THINK;

    /** The format of a model with this chat template (null: a service that serves no chats). */
    static ReasoningFormat of(ChatTemplate template) {
        if (template == null) return NONE;
        String source = template.source();
        if (source.contains("<|channel|>")) return HARMONY;
        if (source.contains("<think>")) return THINK;
        return NONE;
    }

    /**
     * A parser for what the model generates after the chat prompt {@code rendered}, or null for none: harmony output
     * starts inside a message header when the prompt ends with {@code <|start|>assistant}; a think block is already
     * open when the template ended the prompt with {@code <think>} (Qwen3's and DeepSeek-R1's thinking templates).
     */
    ReasoningParser parserAfter(String rendered) {
        return switch (this) {
            case NONE -> null;
            case HARMONY -> new HarmonyParser(rendered.endsWith("<|start|>assistant"));
            case THINK -> new ThinkParser(rendered.stripTrailing().endsWith("<think>"));
        };
    }
}
