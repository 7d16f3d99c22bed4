package dev.junction.engine.chat;

/**
 * A chat template that cannot be used or refuses a conversation: a syntax error in the template, an error while
 * rendering it, or the template's own {@code raise_exception(...)} (for example Mistral's "conversation roles must
 * alternate"). The message is one line fit to show a user; for {@code raise_exception} it carries the template's
 * text verbatim, available alone from {@link #templateMessage()}.
 */
public final class ChatTemplateException extends RuntimeException {
    private final String templateMessage;

    ChatTemplateException(String message, String templateMessage, Throwable cause) {
        super(message, cause);
        this.templateMessage = templateMessage;
    }

    ChatTemplateException(String message) {
        this(message, null, null);
    }

    /** The text the template passed to {@code raise_exception}, or {@code null} when the failure was not that. */
    public String templateMessage() {
        return templateMessage;
    }
}
