package dev.junction.openai;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of one JSON object, read the way the OpenAI API reads them: a missing field and a {@code null} one both
 * mean "use the default", unknown fields are ignored, and a field of the wrong type is an
 * {@link InvalidRequestException} that names it with its full path ({@code messages[2].content}).
 */
final class JsonFields {
    private final JsonNode node;
    private final String path;

    private JsonFields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The request body itself. */
    static JsonFields body(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidRequestException(null, "The request body must be a JSON object.");
        }
        return new JsonFields(node, "");
    }

    /** An element of an array that must be an object; {@code param} is the element's path. */
    static JsonFields element(JsonNode node, String param) {
        if (!node.isObject()) throw wrongType(param, "an object", node);
        return new JsonFields(node, param + ".");
    }

    /** The full path of a field of this object. */
    String param(String name) {
        return path + name;
    }

    /** The field's value, or null when it is missing or {@code null}. */
    JsonNode get(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    JsonNode required(String name) {
        JsonNode value = get(name);
        if (value == null) {
            throw new InvalidRequestException(param(name), "Missing required parameter: '" + param(name) + "'.");
        }
        return value;
    }

    String requiredString(String name) {
        JsonNode value = required(name);
        if (!value.isTextual()) throw wrongType(param(name), "a string", value);
        return value.textValue();
    }

    String string(String name) {
        JsonNode value = get(name);
        if (value == null) return null;
        if (!value.isTextual()) throw wrongType(param(name), "a string", value);
        return value.textValue();
    }

    boolean bool(String name, boolean fallback) {
        JsonNode value = get(name);
        if (value == null) return fallback;
        if (!value.isBoolean()) throw wrongType(param(name), "a boolean", value);
        return value.booleanValue();
    }

    double number(String name, double fallback) {
        JsonNode value = get(name);
        if (value == null) return fallback;
        if (!value.isNumber()) throw wrongType(param(name), "a number", value);
        return value.doubleValue();
    }

    /** An integer field; a number with no fraction ({@code 16.0}) counts, as it does for the OpenAI API. */
    Integer integer(String name) {
        Long value = longInteger(name);
        if (value == null) return null;
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new InvalidRequestException(param(name), "Invalid value for '" + param(name) + "': " + value
                    + " is out of range.");
        }
        return value.intValue();
    }

    int integer(String name, int fallback) {
        Integer value = integer(name);
        return value == null ? fallback : value;
    }

    Long longInteger(String name) {
        JsonNode value = get(name);
        if (value == null) return null;
        return asLong(value, param(name));
    }

    /** A field that must be an array; its elements with their paths. */
    List<JsonNode> array(String name) {
        JsonNode value = get(name);
        if (value == null) return null;
        if (!value.isArray()) throw wrongType(param(name), "an array", value);
        List<JsonNode> elements = new ArrayList<>(value.size());
        value.forEach(elements::add);
        return elements;
    }

    List<JsonNode> requiredArray(String name) {
        required(name);
        return array(name);
    }

    JsonFields object(String name) {
        JsonNode value = get(name);
        if (value == null) return null;
        if (!value.isObject()) throw wrongType(param(name), "an object", value);
        return new JsonFields(value, param(name) + ".");
    }

    /** Every field of this object that is not {@code null}, in order. */
    Map<String, JsonNode> fields() {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        node.properties().forEach(e -> {
            if (!e.getValue().isNull()) fields.put(e.getKey(), e.getValue());
        });
        return fields;
    }

    static long asLong(JsonNode value, String param) {
        if (value.isIntegralNumber() && value.canConvertToLong()) return value.longValue();
        if (value.isFloatingPointNumber() && value.doubleValue() == Math.rint(value.doubleValue())
                && Math.abs(value.doubleValue()) < 0x1p53) {
            return (long) value.doubleValue();
        }
        throw wrongType(param, "an integer", value);
    }

    static InvalidRequestException wrongType(String param, String expected, JsonNode actual) {
        return new InvalidRequestException(param, "Invalid type for '" + param + "': expected " + expected
                + ", but got " + describe(actual) + " instead.");
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            default -> "null";
        };
    }
}
