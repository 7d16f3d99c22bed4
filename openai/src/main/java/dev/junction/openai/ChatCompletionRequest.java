package dev.junction.openai;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code POST /v1/chat/completions} body, as far as a text model can serve it: the conversation, the shared
 * {@link GenerationOptions}, and log-probabilities. Fields that ask for what a text model cannot do ({@code tools},
 * a JSON {@code response_format}, …) are refused by {@link UnsupportedFields}; other unknown fields are ignored.
 *
 * @param topLogprobs       alternatives per token (0–20); only with {@code logprobs}
 * @param templateArguments variables for the model's chat template: {@code chat_template_kwargs} (as vLLM takes
 *                          them, e.g. Qwen3's {@code enable_thinking}) and {@code reasoning_effort} (gpt-oss's
 *                          template reads it); strings, booleans or numbers. Whether the model's template uses them
 *                          is the model's to say.
 */
public record ChatCompletionRequest(String model, List<Message> messages, GenerationOptions options, boolean logprobs,
                                    int topLogprobs, Map<String, Object> templateArguments) {
    /** The roles a conversation may hold; tool and function messages need tool calling, which is not served. */
    public static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    public static final int MAX_TOP_LOGPROBS = 20;

    /** One turn; array content of text parts is joined with newlines. */
    public record Message(String role, String content) {
    }

    /** What OpenAI's {@code reasoning_effort} may be. */
    public static final List<String> REASONING_EFFORTS = List.of("minimal", "low", "medium", "high");

    public ChatCompletionRequest {
        messages = List.copyOf(messages);
        templateArguments = Map.copyOf(templateArguments);
    }

    /** Reads a request body. @throws InvalidRequestException naming the field at fault */
    public static ChatCompletionRequest parse(byte[] body) {
        JsonFields fields = JsonFields.body(OpenAiJson.readTree(body));
        String model = fields.requiredString("model");
        UnsupportedFields.refuseInChat(fields, model);
        List<JsonNode> elements = fields.requiredArray("messages");
        if (elements.isEmpty()) {
            throw new InvalidRequestException("messages", "Invalid 'messages': empty array. Expected an array with "
                    + "minimum length 1, but got an empty array instead.");
        }
        List<Message> messages = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            messages.add(message(JsonFields.element(elements.get(i), "messages[" + i + "]"), model));
        }
        GenerationOptions options = GenerationOptions.read(fields, null);
        boolean logprobs = fields.bool("logprobs", false);
        Integer topLogprobs = fields.integer("top_logprobs");
        if (topLogprobs != null && (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS)) {
            throw new InvalidRequestException("top_logprobs", "Invalid 'top_logprobs': expected a value between 0 and "
                    + MAX_TOP_LOGPROBS + ", but got " + topLogprobs + " instead.");
        }
        if (topLogprobs != null && topLogprobs > 0 && !logprobs) {
            throw new InvalidRequestException("top_logprobs", "Invalid 'top_logprobs': 'logprobs' must be set to true "
                    + "when 'top_logprobs' is used.");
        }
        return new ChatCompletionRequest(model, messages, options, logprobs, topLogprobs == null ? 0 : topLogprobs,
                templateArguments(fields));
    }

    /** {@code chat_template_kwargs} with scalar values, then {@code reasoning_effort}, which wins over a kwarg of its name. */
    private static Map<String, Object> templateArguments(JsonFields body) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        JsonFields kwargs = body.object("chat_template_kwargs");
        if (kwargs != null) {
            kwargs.fields().forEach((name, value) -> arguments.put(name, switch (value.getNodeType()) {
                case STRING -> value.textValue();
                case BOOLEAN -> value.booleanValue();
                case NUMBER -> value.isIntegralNumber() && value.canConvertToLong() ? (Object) value.longValue()
                        : (Object) value.doubleValue();
                default -> throw JsonFields.wrongType(kwargs.param(name), "a string, a boolean or a number", value);
            }));
        }
        String effort = body.string("reasoning_effort");
        if (effort != null) {
            if (!REASONING_EFFORTS.contains(effort)) {
                throw new InvalidRequestException("reasoning_effort", "Invalid value for 'reasoning_effort': '" + effort
                        + "'. Supported values are: 'minimal', 'low', 'medium', and 'high'.");
            }
            arguments.put("reasoning_effort", effort);
        }
        return arguments;
    }

    private static Message message(JsonFields message, String model) {
        String role = message.requiredString("role");
        if (!ROLES.contains(role)) {
            throw new InvalidRequestException(message.param("role"), "Invalid value for '" + message.param("role")
                    + "': '" + role + "' is not supported; supported roles are system, developer, user and assistant.");
        }
        List<JsonNode> toolCalls = message.array("tool_calls"); // an empty list calls nothing
        if (toolCalls != null && !toolCalls.isEmpty()) {
            throw UnsupportedFields.refusal(message.param("tool_calls"), model);
        }
        UnsupportedFields.refuseAny(message, List.of("function_call", "audio"), model);
        JsonNode content = role.equals("assistant") ? message.get("content") : message.required("content");
        if (content == null) return new Message(role, "");
        if (content.isTextual()) return new Message(role, content.textValue());
        if (!content.isArray()) {
            throw JsonFields.wrongType(message.param("content"), "a string or an array of content parts", content);
        }
        List<String> texts = new ArrayList<>(content.size());
        for (int j = 0; j < content.size(); j++) {
            JsonFields part = JsonFields.element(content.get(j), message.param("content") + "[" + j + "]");
            String type = part.requiredString("type");
            if (!type.equals("text")) {
                throw new InvalidRequestException(part.param("type"), "Invalid value for '" + part.param("type")
                        + "': content parts of type '" + type + "' are not supported; only 'text' parts are.");
            }
            texts.add(part.requiredString("text"));
        }
        return new Message(role, String.join("\n", texts));
    }
}
