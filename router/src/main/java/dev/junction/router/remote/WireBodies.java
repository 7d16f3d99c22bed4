package dev.junction.router.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.inference.Usage;

import java.util.Optional;

/**
 * The router's few edits of OpenAI bodies, everything else passed through as it came (fields Junction does not know
 * included): the deployment's model name in the request, the stream's usage asked for so that streamed requests are
 * metered as exactly as plain ones, and that usage read back from the answer.
 */
public final class WireBodies {
    static final ObjectMapper JSON = new ObjectMapper();

    private WireBodies() {
    }

    /** Whether the client's body asks for a stream. */
    public static boolean streams(ObjectNode client) {
        return client.path("stream").asBoolean(false);
    }

    /** Whether the request offers tools (or the older {@code functions}) to call. */
    public static boolean usesTools(ObjectNode client) {
        return nonEmpty(client.get("tools")) || nonEmpty(client.get("functions"));
    }

    private static boolean nonEmpty(JsonNode node) {
        return node != null && !node.isNull() && !(node.isArray() && node.isEmpty());
    }

    /** Whether the client asked for the stream's final usage chunk ({@code stream_options.include_usage}). */
    public static boolean clientWantsStreamUsage(ObjectNode client) {
        return client.path("stream_options").path("include_usage").asBoolean(false);
    }

    /**
     * The body to send to a deployment: the client's, with {@code model} set to the deployment's and, for a stream,
     * {@code stream_options.include_usage} set to true. The client's body is not changed.
     */
    public static byte[] forUpstream(ObjectNode client, String upstreamModel) {
        ObjectNode body = client.objectNode();
        body.setAll(client); // a shallow copy: the nodes changed below are replaced, never edited in place
        body.put("model", upstreamModel);
        if (streams(client)) {
            ObjectNode o = body.objectNode();
            if (client.get("stream_options") instanceof ObjectNode existing) o.setAll(existing);
            body.set("stream_options", o);
            o.put("include_usage", true);
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }

    /** The {@code usage} of an answer or of a stream's chunk, when it carries one. */
    public static Optional<Usage> usage(JsonNode answer) {
        JsonNode u = answer.path("usage");
        if (!u.isObject() || !u.path("prompt_tokens").canConvertToInt()) return Optional.empty();
        return Optional.of(new Usage(u.path("prompt_tokens").asInt(), u.path("completion_tokens").asInt(),
                u.path("prompt_tokens_details").path("cached_tokens").asInt(0)));
    }

    /**
     * Whether a stream chunk is the usage chunk the router asked for and the client did not: usage and no choice to
     * pass on. Such a chunk is read for metering and not sent to the client.
     */
    public static boolean isUsageOnly(JsonNode chunk) {
        JsonNode choices = chunk.path("choices");
        return usage(chunk).isPresent() && (choices.isMissingNode() || choices.isArray() && choices.isEmpty());
    }
}
