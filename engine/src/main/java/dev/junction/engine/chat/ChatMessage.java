package dev.junction.engine.chat;

import java.util.Objects;

/**
 * One turn of a conversation as chat templates see it: a role and its text. Roles are free-form strings because
 * templates decide what they accept (Llama 3.x also knows {@code ipython}); the usual ones have constants and
 * factories here. A template that does not support a role (Mistral rejects {@code system} after the first message)
 * says so with a {@link ChatTemplateException} when rendering.
 *
 * @param role    who speaks: {@value #SYSTEM}, {@value #DEVELOPER}, {@value #USER}, {@value #ASSISTANT},
 *                {@value #TOOL} or another role the model's template knows; never blank
 * @param content the text, possibly empty, never null
 */
public record ChatMessage(String role, String content) {
    public static final String SYSTEM = "system";
    public static final String DEVELOPER = "developer";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
    public static final String TOOL = "tool";

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (role.isBlank()) {
            throw new IllegalArgumentException("chat message role must not be blank");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(SYSTEM, content);
    }

    public static ChatMessage developer(String content) {
        return new ChatMessage(DEVELOPER, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(ASSISTANT, content);
    }

    public static ChatMessage tool(String content) {
        return new ChatMessage(TOOL, content);
    }
}
