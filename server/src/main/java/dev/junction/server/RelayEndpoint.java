package dev.junction.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.inference.Usage;
import dev.junction.openai.CompletionUsage;
import dev.junction.openai.OpenAiJson;
import dev.junction.openai.relay.Relay;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.OptionalInt;

/**
 * {@code POST /v1/chat/completions} and {@code /v1/completions} handed to a {@link Relay} (the supplier router): the
 * body is read and checked to be a JSON object naming a model, and the rest of it is the relay's business. While
 * nothing has been written the client's connection is watched; if it leaves, the request's thread is interrupted,
 * which abandons the relayed call.
 */
final class RelayEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(RelayEndpoint.class);

    private final Relay relay;
    private final dev.junction.openai.relay.Endpoint endpoint;
    private final ServerMetrics metrics;
    private final ServerConfig config;

    RelayEndpoint(Relay relay, dev.junction.openai.relay.Endpoint endpoint, ServerMetrics metrics,
                  ServerConfig config) {
        this.relay = relay;
        this.endpoint = endpoint;
        this.metrics = metrics;
        this.config = config;
    }

    @Override
    public Usage serve(Context ctx, ApiCall call) throws Exception {
        byte[] raw = RequestBodies.read(ctx, config.maxRequestBytes());
        ObjectNode body = object(raw);
        call.bodyRead(shape(body, raw.length));
        HttpAnswer answer = new HttpAnswer(ctx, call, metrics);
        CompletionUsage usage;
        try (ClientWatch watch = ClientWatch.start(ctx, Thread.currentThread()::interrupt)) {
            answer.closesOnBegin(watch);
            try {
                usage = relay.relay(endpoint, body, answer);
            } catch (InterruptedException | HttpAnswer.ClientGone e) {
                if (!watch.gone() && !(e instanceof HttpAnswer.ClientGone)) throw e; // shutting down
                metrics.clientDisconnected();
                call.clientLeft();
                log.debug("The client of {} left before its answer ended", ctx.path());
                if (!ctx.res().isCommitted()) ctx.status(ClientDisconnected.STATUS);
                return usage(answer.usage());
            } finally {
                Thread.interrupted(); // a watch that fired as the answer ended must not leave the thread interrupted
            }
        }
        return usage(usage != null ? usage : answer.usage());
    }

    private static Usage usage(CompletionUsage usage) {
        return usage == null ? null : new Usage(usage.promptTokens(), usage.completionTokens(),
                usage.promptTokensDetails() == null ? 0 : usage.promptTokensDetails().cachedTokens());
    }

    /**
     * What admission needs to know, read leniently (the supplier validates the rest): a {@code max_tokens} or
     * {@code n} that is not a positive integer is left for the supplier to refuse.
     */
    private static RequestShape shape(ObjectNode body, int bytes) {
        JsonNode max = body.get("max_completion_tokens");
        if (max == null || max.isNull()) max = body.get("max_tokens");
        OptionalInt maxTokens = max != null && max.canConvertToInt() && max.isIntegralNumber() && max.intValue() > 0
                ? OptionalInt.of(max.intValue()) : OptionalInt.empty();
        JsonNode n = body.get("n");
        int choices = n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() > 0 ? n.intValue() : 1;
        JsonNode prompt = body.get("prompt");
        int prompts = prompt != null && prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isTextual()
                ? prompt.size() : 1;
        JsonNode stream = body.get("stream");
        return new RequestShape(body.get("model").textValue(), bytes, maxTokens, choices, prompts,
                stream != null && stream.asBoolean(false));
    }

    /** The body as a JSON object with a string {@code model}, or a 400 saying what is wrong with it. */
    private static ObjectNode object(byte[] raw) {
        JsonNode tree = OpenAiJson.readTree(raw); // 400 when it is not JSON
        if (!(tree instanceof ObjectNode object)) {
            throw ApiException.invalidRequest(null, "The request body must be a JSON object.");
        }
        JsonNode model = object.get("model");
        if (model == null || model.isNull()) {
            throw ApiException.invalidRequest("model", "you must provide a model parameter");
        }
        if (!model.isTextual()) throw ApiException.invalidRequest("model", "'model' must be a string.");
        return object;
    }
}
