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
        ObjectNode body = object(RequestBodies.read(ctx, config.maxRequestBytes()));
        call.model(body.get("model").textValue());
        HttpAnswer answer = new HttpAnswer(ctx);
        CompletionUsage usage;
        try (ClientWatch watch = ClientWatch.start(ctx, Thread.currentThread()::interrupt)) {
            answer.closesOnBegin(watch);
            try {
                usage = relay.relay(endpoint, body, answer);
            } catch (InterruptedException | HttpAnswer.ClientGone e) {
                if (!watch.gone() && !(e instanceof HttpAnswer.ClientGone)) throw e; // shutting down
                metrics.clientDisconnected();
                log.debug("The client of {} left before its answer ended", ctx.path());
                if (!ctx.res().isCommitted()) ctx.status(ClientDisconnected.STATUS);
                return null;
            } finally {
                Thread.interrupted(); // a watch that fired as the answer ended must not leave the thread interrupted
            }
        }
        return usage == null ? null : new Usage(usage.promptTokens(), usage.completionTokens(),
                usage.promptTokensDetails() == null ? 0 : usage.promptTokensDetails().cachedTokens());
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
