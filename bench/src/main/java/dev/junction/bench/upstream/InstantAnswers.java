package dev.junction.bench.upstream;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed answers of the instant upstream in the OpenAI chat wire format: one small chat completion, or the same
 * text as a stream of a role chunk, three content chunks, a finish chunk, a usage chunk when the request asked for
 * one ({@code stream_options.include_usage}), then {@code [DONE]}. Only the model name comes from the request.
 */
final class InstantAnswers {
    static final String ID = "chatcmpl-instant";
    /** The answer's text, in the pieces the stream sends. */
    static final List<String> PIECES = List.of("Hello", " from the", " instant upstream.");
    static final String TEXT = String.join("", PIECES);
    static final int PROMPT_TOKENS = 8;
    static final int COMPLETION_TOKENS = 6;

    private static final long CREATED = 1_767_225_600L; // fixed, so that every answer is the same bytes
    private static final String USAGE = "{\"prompt_tokens\":" + PROMPT_TOKENS + ",\"completion_tokens\":"
            + COMPLETION_TOKENS + ",\"total_tokens\":" + (PROMPT_TOKENS + COMPLETION_TOKENS) + "}";

    private InstantAnswers() {
    }

    /** The {@code chat.completion} body for {@code model}. */
    static byte[] plain(String model) {
        return (head("chat.completion", model) + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"" + TEXT + "\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":" + USAGE
                + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** The streamed answer's body: server-sent events, each a {@code data: ...} line and a blank line. */
    static byte[] stream(String model, boolean includeUsage) {
        String chunkHead = head("chat.completion.chunk", model) + ",\"choices\":[";
        // as OpenAI does: "usage":null in every chunk but the usage chunk, when usage was asked for
        String chunkTail = includeUsage ? "],\"usage\":null}" : "]}";
        List<String> chunks = new ArrayList<>();
        chunks.add(chunkHead + delta("\"role\":\"assistant\",\"content\":\"\"", "null") + chunkTail);
        for (String piece : PIECES) chunks.add(chunkHead + delta("\"content\":\"" + piece + "\"", "null") + chunkTail);
        chunks.add(chunkHead + delta("", "\"stop\"") + chunkTail);
        if (includeUsage) chunks.add(chunkHead + "],\"usage\":" + USAGE + "}");
        chunks.add("[DONE]");
        StringBuilder events = new StringBuilder();
        for (String chunk : chunks) events.append("data: ").append(chunk).append("\n\n");
        return events.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An OpenAI-shaped error body. */
    static byte[] error(String message) {
        return ("{\"error\":{\"message\":" + quote(message) + ",\"type\":\"invalid_request_error\",\"param\":null,"
                + "\"code\":null}}").getBytes(StandardCharsets.UTF_8);
    }

    private static String head(String object, String model) {
        return "{\"id\":\"" + ID + "\",\"object\":\"" + object + "\",\"created\":" + CREATED + ",\"model\":"
                + quote(model);
    }

    private static String delta(String fields, String finishReason) {
        return "{\"index\":0,\"delta\":{" + fields + "},\"logprobs\":null,\"finish_reason\":" + finishReason + "}";
    }

    private static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
