package dev.junction.inference;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

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

    /**
     * A conversation; the assistant's next turn is generated.
     *
     * @param templateArguments variables for the model's chat template beyond the messages (OpenAI's
     *                          {@code reasoning_effort}, vLLM's {@code chat_template_kwargs} such as Qwen3's
     *                          {@code enable_thinking}): strings, booleans or numbers; a model whose template does
     *                          not use one refuses the request
     */
    record Chat(List<Message> messages, Map<String, Object> templateArguments) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new InferenceException(InferenceException.Kind.INVALID_REQUEST, "messages",
                        "messages must not be empty");
            }
            templateArguments = Collections.unmodifiableMap(new TreeMap<>(templateArguments));
            for (var e : templateArguments.entrySet()) {
                if (!(e.getValue() instanceof String || e.getValue() instanceof Boolean
                        || e.getValue() instanceof Number)) {
                    throw new IllegalArgumentException("template argument " + e.getKey()
                            + " must be a string, a boolean or a number");
                }
            }
        }

        /** A conversation with no template arguments. */
        public Chat(List<Message> messages) {
            this(messages, Map.of());
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
