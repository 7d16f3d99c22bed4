package dev.junction.gateway.http;

import dev.junction.openai.ApiError;
import dev.junction.server.ApiException;

/** The business edition's refusals, in OpenAI's error shape. */
final class Refusals {
    private Refusals() {
    }

    static ApiException noKey() {
        return new ApiException(401, new ApiError("You didn't provide an API key. Send it as 'Authorization: Bearer "
                + "jk-…' (or in an 'api-key' header).", ApiError.INVALID_REQUEST, null, "invalid_api_key"));
    }

    static ApiException badKey() {
        return new ApiException(401, new ApiError("Incorrect API key provided (it is unknown, revoked or expired).",
                ApiError.INVALID_REQUEST, null, "invalid_api_key"));
    }

    static ApiException modelNotAllowed(String model) {
        return new ApiException(403, new ApiError("This API key may not use the model '" + model + "'.",
                ApiError.INVALID_REQUEST, "model", "model_not_allowed"));
    }

    static ApiException forbidden(String message) {
        return new ApiException(403, new ApiError(message, ApiError.INVALID_REQUEST, null, "forbidden"));
    }
}
