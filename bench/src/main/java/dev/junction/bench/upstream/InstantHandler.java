package dev.junction.bench.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Answers {@code POST /v1/chat/completions} with {@link InstantAnswers} as soon as the body is read, and any other
 * request with a 404 (or a 405 for another method on that path). Never blocks: the body is read asynchronously and
 * each answer goes in one write of bytes made in memory (the stream chunked, as a streaming upstream sends it).
 */
final class InstantHandler extends Handler.Abstract.NonBlocking {
    private static final String PATH = "/v1/chat/completions";
    private static final int MAX_BODY = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a chat request asks of the answer. */
    record ChatRequest(String model, boolean stream, boolean includeUsage) {
        static ChatRequest parse(byte[] body) throws IOException {
            JsonNode json = JSON.readTree(body);
            if (json == null || !json.isObject()) throw new IOException("the body is not a JSON object");
            JsonNode model = json.path("model");
            if (!model.isTextual()) throw new IOException("'model' is required");
            return new ChatRequest(model.textValue(), json.path("stream").booleanValue(),
                    json.path("stream_options").path("include_usage").booleanValue());
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!Request.getPathInContext(request).equals(PATH)) {
            String problem = "no route for " + request.getHttpURI().getPath();
            answer(response, HttpStatus.NOT_FOUND_404, InstantAnswers.error(problem), callback);
        } else if (!request.getMethod().equals("POST")) {
            String problem = request.getMethod() + " is not allowed";
            answer(response, HttpStatus.METHOD_NOT_ALLOWED_405, InstantAnswers.error(problem), callback);
        } else {
            Content.Source.asByteArrayAsync(request, MAX_BODY).whenComplete((body, failure) -> {
                if (failure != null) callback.failed(failure);
                else chat(body, response, callback);
            });
        }
        return true;
    }

    private static void chat(byte[] body, Response response, Callback callback) {
        ChatRequest chat;
        try {
            chat = ChatRequest.parse(body);
        } catch (IOException e) {
            answer(response, HttpStatus.BAD_REQUEST_400, InstantAnswers.error(e.getMessage()), callback);
            return;
        }
        if (chat.stream()) {
            response.setStatus(HttpStatus.OK_200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            // chunked, as a streaming upstream answers, though the whole stream is ready at once and goes in one write
            response.getHeaders().put(HttpHeader.TRANSFER_ENCODING, "chunked");
            response.write(true, ByteBuffer.wrap(InstantAnswers.stream(chat.model(), chat.includeUsage())), callback);
        } else {
            answer(response, HttpStatus.OK_200, InstantAnswers.plain(chat.model()), callback);
        }
    }

    private static void answer(Response response, int status, byte[] json, Callback callback) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
        response.write(true, ByteBuffer.wrap(json), callback);
    }
}
