package dev.junction.gateway.http;

import dev.junction.gateway.admin.Actor;
import dev.junction.gateway.admin.AdminException;
import dev.junction.gateway.auth.Authenticator;
import dev.junction.openai.ApiError;
import dev.junction.openai.OpenAiJson;
import dev.junction.server.ApiException;
import dev.junction.server.OpenAiServer;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.Objects;

/**
 * The admin REST API under {@code /admin/v1}: JSON in and out, OpenAI-shaped errors, every request authenticated by
 * an admin key (the instance administrator's, or an organization's {@code admin} key, which sees only its own
 * organization: anything else answers 404). The operations are {@link AdminOperations}'; this binds them to paths.
 */
public final class AdminApi {
    private final AdminOperations ops;
    private final Authenticator authenticator;

    public AdminApi(AdminOperations ops, Authenticator authenticator) {
        this.ops = Objects.requireNonNull(ops, "ops");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    }

    public void install(OpenAiServer.Builder b) {
        String orgs = "/admin/v1/organizations";
        route(b, HandlerType.POST, orgs, 201, (ctx, a) -> ops.createOrganization(a, ctx.bodyAsBytes()));
        route(b, HandlerType.GET, orgs, 200, (ctx, a) -> ops.organizations(a));
        route(b, HandlerType.GET, orgs + "/{org}", 200, (ctx, a) -> ops.organization(a, ctx.pathParam("org")));
        route(b, HandlerType.PATCH, orgs + "/{org}", 200,
                (ctx, a) -> ops.updateOrganization(a, ctx.pathParam("org"), ctx.bodyAsBytes()));
        route(b, HandlerType.POST, orgs + "/{org}/keys", 201,
                (ctx, a) -> ops.createKey(a, ctx.pathParam("org"), ctx.bodyAsBytes()));
        route(b, HandlerType.GET, orgs + "/{org}/keys", 200, (ctx, a) -> ops.keys(a, ctx.pathParam("org")));
        route(b, HandlerType.POST, orgs + "/{org}/users", 201,
                (ctx, a) -> ops.createUser(a, ctx.pathParam("org"), ctx.bodyAsBytes()));
        route(b, HandlerType.GET, orgs + "/{org}/users", 200, (ctx, a) -> ops.users(a, ctx.pathParam("org")));
        route(b, HandlerType.GET, "/admin/v1/keys/{id}", 200, (ctx, a) -> ops.key(a, ctx.pathParam("id")));
        route(b, HandlerType.PATCH, "/admin/v1/keys/{id}", 200,
                (ctx, a) -> ops.updateKey(a, ctx.pathParam("id"), ctx.bodyAsBytes()));
        route(b, HandlerType.DELETE, "/admin/v1/keys/{id}", 200, (ctx, a) -> ops.revokeKey(a, ctx.pathParam("id")));
        route(b, HandlerType.GET, "/admin/v1/usage", 200, (ctx, a) -> ops.usage(a, ctx::queryParam));
        route(b, HandlerType.GET, "/admin/v1/audit", 200, (ctx, a) -> ops.audit(a, ctx::queryParam));
        route(b, HandlerType.GET, "/admin/v1/audit/verify", 200, (ctx, a) -> ops.verifyAudit(a));
    }

    private interface Operation {
        Object run(Context ctx, Actor actor);
    }

    /** Authenticates, runs, answers JSON with {@code status}; every refusal an OpenAI-shaped error. */
    private void route(OpenAiServer.Builder b, HandlerType method, String path, int status, Operation operation) {
        b.route(method, path, ctx -> {
            var caller = GatewayInterceptor.authenticate(authenticator, ctx::header);
            Object result;
            try {
                result = operation.run(ctx, Actor.of(caller, ctx.ip()));
            } catch (AdminException e) {
                throw http(e);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidRequest(null, e.getMessage());
            }
            ctx.status(status).contentType("application/json").result(OpenAiJson.write(result));
        });
    }

    /** An administration refusal as HTTP: 400 naming the field, 403, 404 or 409. */
    public static ApiException http(AdminException e) {
        return switch (e.kind()) {
            case INVALID -> ApiException.invalidRequest(e.field(), e.getMessage());
            case FORBIDDEN -> Refusals.forbidden(e.getMessage());
            case NOT_FOUND -> new ApiException(404, new ApiError(e.getMessage(), ApiError.INVALID_REQUEST, null,
                    "not_found"));
            case CONFLICT -> new ApiException(409, new ApiError(e.getMessage(), ApiError.INVALID_REQUEST, e.field(),
                    "conflict"));
        };
    }
}
