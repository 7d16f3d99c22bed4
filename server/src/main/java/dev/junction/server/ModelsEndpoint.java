package dev.junction.server;

import dev.junction.inference.InferenceService;
import dev.junction.inference.ModelInfo;
import dev.junction.inference.Usage;
import dev.junction.openai.Model;
import dev.junction.openai.ModelList;
import dev.junction.openai.OpenAiJson;
import dev.junction.inference.InferenceException;
import dev.junction.openai.relay.Relay;
import io.javalin.http.Context;

import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/<id>}: what the service (or the relay) serves, as far as the
 * caller is shown it (a model it is not shown is not found, as OpenAI answers for a model one has no access to).
 */
final class ModelsEndpoint {
    private final Supplier<List<Model>> models;

    private ModelsEndpoint(Supplier<List<Model>> models) {
        this.models = models;
    }

    static ModelsEndpoint of(InferenceService service) {
        return new ModelsEndpoint(() -> service.models().stream().map(ModelsEndpoint::model).toList());
    }

    /** A relay's public model names, created when the server started, owned by Junction. */
    static ModelsEndpoint of(Relay relay, InstantSource clock) {
        long created = clock.instant().getEpochSecond();
        return new ModelsEndpoint(() -> relay.models().stream().map(id -> new Model(id, created, "junction"))
                .toList());
    }

    /** The models served, less those an interceptor does not {@linkplain ApiCall#shows show} this caller. */
    Usage list(Context ctx, ApiCall call) {
        List<Model> shown = models.get().stream().filter(m -> call.shows(m.id())).toList();
        ctx.contentType("application/json").result(OpenAiJson.write(new ModelList(shown)));
        return null;
    }

    /** Ids may contain slashes ({@code org/name}), hence the {@code <id>} route parameter. */
    Usage one(Context ctx, ApiCall call) {
        String id = ctx.pathParam("id");
        call.model(id);
        Model model = models.get().stream().filter(m -> m.id().equals(id) && call.shows(id)).findFirst()
                .orElseThrow(() -> ApiException.from(InferenceException.modelNotFound(id)));
        ctx.contentType("application/json").result(OpenAiJson.write(model));
        return null;
    }

    private static Model model(ModelInfo info) {
        return new Model(info.id(), info.created(), info.ownedBy());
    }
}
