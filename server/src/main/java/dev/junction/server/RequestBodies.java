package dev.junction.server;

import dev.junction.openai.ApiError;
import io.javalin.http.Context;

import java.io.IOException;

/**
 * Reads request bodies up to the configured limit; a larger one is a 413 before it is read to the end, and one whose
 * client hangs up before its end is {@link ClientDisconnected}.
 */
final class RequestBodies {
    private RequestBodies() {
    }

    /**
     * The whole body.
     *
     * @throws ClientDisconnected when the connection ends or fails before the body is read to its end
     */
    static byte[] read(Context ctx, int limit) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) throw tooLarge(limit);
        byte[] body;
        try {
            body = ctx.req().getInputStream().readNBytes(limit + 1);
        } catch (IOException e) { // Jetty's EofException and the like: the client went away mid-request
            throw new ClientDisconnected(e);
        }
        if (body.length > limit) throw tooLarge(limit);
        return body;
    }

    private static ApiException tooLarge(int limit) {
        return new ApiException(413, new ApiError("The request body is larger than this server accepts (" + limit
                + " bytes).", ApiError.INVALID_REQUEST, null, "request_too_large"));
    }
}
