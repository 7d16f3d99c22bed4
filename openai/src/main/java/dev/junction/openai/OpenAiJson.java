package dev.junction.openai;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON codec of the OpenAI format: records are written with snake_case names ({@code finishReason} →
 * {@code finish_reason}) and read leniently (unknown fields are ignored, as OpenAI clients expect of each other).
 */
public final class OpenAiJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private OpenAiJson() {
    }

    /** A response record, an error body or a chunk as UTF-8 JSON. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JSON text to a record (responses, in tests and clients). */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A request body as a tree. @throws InvalidRequestException when it is not JSON */
    public static JsonNode readTree(byte[] body) {
        if (body.length == 0) {
            throw new InvalidRequestException(null, "The request body is empty; expected a JSON object.");
        }
        try {
            return MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new InvalidRequestException(null, "We could not parse the JSON body of your request: "
                    + e.getOriginalMessage() + ".");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
