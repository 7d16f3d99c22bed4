package dev.junction.inference;

import java.util.List;
import java.util.Objects;

/** The input of a generation: raw text, token ids, or a conversation to render with the model's chat template. */
public sealed interface Prompt {
    /** Text to continue as it is (the model's BOS token is added if the model wants one). */
    record Text(String text) implements Prompt {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Token ids to continue, exactly as given. */
    record Tokens(int[] ids) implements Prompt {
        public Tokens {
            ids = ids.clone();
        }
    }

    /** A conversation; the assistant's next turn is generated. */
    record Chat(List<Message> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new InferenceException(InferenceException.Kind.INVALID_REQUEST, "messages",
                        "messages must not be empty");
            }
        }
    }

    /** One turn of a conversation: role ({@code system}, {@code developer}, {@code user}, {@code assistant}) and text. */
    record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(role, "role");
            content = content == null ? "" : content;
        }
    }

    static Prompt text(String text) {
        return new Text(text);
    }

    static Prompt chat(Message... messages) {
        return new Chat(List.of(messages));
    }
}
