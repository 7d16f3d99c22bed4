package dev.junction.engine.chat.reasoning;

import java.util.Objects;

/**
 * A decided part of the generated text. Every event carries the exact input text it stands for ({@link #text()}):
 * the texts of all events a parser gives, in order, concatenate to the text it was fed.
 */
public sealed interface ReasoningEvent {

    /** The input text this event stands for. */
    String text();

    /** Text of the model's reasoning (harmony's {@code analysis} channel, the inside of a think block). */
    record Reasoning(String text) implements ReasoningEvent {
        public Reasoning {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Text of the answer shown to the user, and any text the parser could not place elsewhere. */
    record Content(String text) implements ReasoningEvent {
        public Content {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * Format structure the parser consumed: special-token strings such as {@code <|end|>}, harmony message headers
     * with their {@code <|message|>}, think tags. Neither reasoning nor content; callers normally ignore it.
     */
    record Markup(String text) implements ReasoningEvent {
        public Markup {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A harmony message addressed to a tool ({@code to=…} in its header), kept raw for a tool-call layer to
     * interpret; given once, when the message ends.
     *
     * @param recipient   the name after {@code to=}, e.g. {@code functions.get_weather}
     * @param channel     the channel name ({@code commentary}, {@code analysis}), or empty when the header has none
     * @param contentType the word after {@code <|constrain|>} (e.g. {@code json}), or empty
     * @param header      the raw header text, as also given by the {@link Markup} before it
     * @param arguments   the message body, exactly as generated; this event's {@link #text()}
     * @param complete    whether the message ended with a terminator ({@code <|call|>}, {@code <|end|>},
     *                    {@code <|return|>}) or a new message; false when the output stopped inside it
     */
    record ToolCall(String recipient, String channel, String contentType, String header, String arguments,
                    boolean complete) implements ReasoningEvent {
        public ToolCall {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(arguments, "arguments");
        }

        @Override
        public String text() {
            return arguments;
        }
    }
}
