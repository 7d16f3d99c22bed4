package dev.junction.server;

import dev.junction.inference.InferenceService;
import dev.junction.inference.ModelInfo;
import dev.junction.inference.Usage;
import dev.junction.openai.Model;
import dev.junction.openai.ModelList;
import dev.junction.openai.OpenAiJson;
import io.javalin.http.Context;

/** {@code GET /v1/models} and {@code GET /v1/models/<id>}: what the service serves. */
final class ModelsEndpoint {
    private final InferenceService service;

    ModelsEndpoint(InferenceService service) {
        this.service = service;
    }

    Usage list(Context ctx, ApiCall call) {
        ctx.contentType("application/json").result(OpenAiJson.write(new ModelList(
                service.models().stream().map(ModelsEndpoint::model).toList())));
        return null;
    }

    /** Ids may contain slashes ({@code org/name}), hence the {@code <id>} route parameter. */
    Usage one(Context ctx, ApiCall call) {
        String id = ctx.pathParam("id");
        call.model(id);
        ModelInfo info = service.model(id).orElseThrow(() -> ApiException.from(
                dev.junction.inference.InferenceException.modelNotFound(id)));
        ctx.contentType("application/json").result(OpenAiJson.write(model(info)));
        return null;
    }

    private static Model model(ModelInfo info) {
        return new Model(info.id(), info.created(), info.ownedBy());
    }
}
