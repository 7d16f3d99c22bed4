package dev.junction.openai;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Fields of the OpenAI API that would change the answer in a way no served model can honour yet (tool calls, a JSON
 * schema, audio, …). A request that sets one is refused, naming it, rather than answered as if it had not been
 * set: the client would otherwise believe its tools or schema were honoured. Fields that change nothing about the
 * answer ({@code user}, {@code metadata}, {@code store}, {@code service_tier}) are not listed and stay accepted, and a
 * field sent as {@code null} counts as absent, as SDKs send nulls.
 */
final class UnsupportedFields {
    /** Chat fields refused whatever their value. */
    static final List<String> CHAT = List.of("tools", "tool_choice", "parallel_tool_calls", "functions",
            "function_call", "audio", "prediction", "verbosity", "web_search_options");

    private UnsupportedFields() {
    }

    /** Refuses the chat fields above, a {@code response_format} other than text and modalities other than text. */
    static void refuseInChat(JsonFields body, String model) {
        refuseAny(body, CHAT, model);
        JsonFields format = body.object("response_format");
        if (format != null) {
            String type = format.requiredString("type");
            if (!type.equals("text")) {
                throw new InvalidRequestException(body.param("response_format"), "'response_format' of type '" + type
                        + "' is not supported by model '" + model + "'; only 'text' is.");
            }
        }
        List<JsonNode> modalities = body.array("modalities");
        if (modalities != null && !(modalities.size() == 1 && modalities.getFirst().isTextual()
                && modalities.getFirst().textValue().equals("text"))) {
            throw new InvalidRequestException(body.param("modalities"), "'modalities' other than [\"text\"] are "
                    + "not supported by model '" + model + "'.");
        }
    }

    /** Refuses each named field that is set. */
    static void refuseAny(JsonFields fields, List<String> names, String model) {
        for (String name : names) {
            if (fields.has(name)) throw refusal(fields.param(name), model);
        }
    }

    /** The refusal of a field that is set: "'tools' is not supported by model 'm'." */
    static InvalidRequestException refusal(String param, String model) {
        return new InvalidRequestException(param, "'" + param + "' is not supported by model '" + model + "'.");
    }
}
