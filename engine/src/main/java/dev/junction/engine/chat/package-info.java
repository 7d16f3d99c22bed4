/**
 * Chat templates: turning a list of {@link dev.junction.engine.chat.ChatMessage}s into the exact prompt text a model
 * was trained on. {@link dev.junction.engine.chat.ChatTemplate} renders the model's own Hugging Face Jinja template
 * (the {@code tokenizer.chat_template} GGUF metadata) with Jinjava configured and patched to behave like the Jinja2
 * environment of {@code transformers}, so prompts match {@code apply_chat_template} byte for byte; for files without a
 * template it offers builtin Llama 3, ChatML, Llama 2, Mistral, Zephyr and plain-text formats and a vocabulary-based
 * guess between them.
 */
package dev.junction.engine.chat;
