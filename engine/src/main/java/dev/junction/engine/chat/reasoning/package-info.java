/**
 * Splitting a model's generated text into reasoning and answer as it streams: {@link
 * dev.junction.engine.chat.reasoning.HarmonyParser} for OpenAI's harmony format (gpt-oss) and {@link
 * dev.junction.engine.chat.reasoning.ThinkParser} for {@code <think>…</think>} blocks (Qwen3, DeepSeek-R1). Both are
 * fed the text piece by piece, with special tokens rendered as their literal strings, and answer with {@link
 * dev.junction.engine.chat.reasoning.ReasoningEvent}s whose texts, in order, are exactly the text fed: nothing is
 * lost, nothing throws on any input.
 *
 * <p>A pure library: depends on {@code java.base} only, not on the tokenizer, the model or the server.
 */
package dev.junction.engine.chat.reasoning;
