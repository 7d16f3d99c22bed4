package dev.junction.server;

import dev.junction.openai.OpenAiJson;
import dev.junction.openai.ServerSentEvents;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The body of a streaming response: status 200, {@code text/event-stream}, one event per chunk. Events are buffered
 * until {@link #flush()}; a write or flush that fails means the client went away, and is thrown as
 * {@link ClientGone} so the caller cancels the generation at once.
 */
final class EventStream {
    /** The client closed the connection. */
    static final class ClientGone extends Exception {
        ClientGone(IOException cause) {
            super(cause);
        }
    }

    private final OutputStream out;

    private EventStream(OutputStream out) {
        this.out = out;
    }

    /** Commits the status and headers; nothing is sent until the first flush. */
    static EventStream open(HttpServletResponse response) throws ClientGone {
        response.setStatus(200);
        response.setContentType("text/event-stream; charset=utf-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no"); // tells a reverse proxy (nginx) not to hold events back
        try {
            return new EventStream(response.getOutputStream());
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    /** Buffers one {@code data: <json>} event. */
    void send(Object chunk) throws ClientGone {
        write(ServerSentEvents.encode(OpenAiJson.write(chunk)));
    }

    /** Buffers one event whose data is already JSON text. */
    void sendData(String json) throws ClientGone {
        write(ServerSentEvents.encode(json.getBytes(StandardCharsets.UTF_8)));
    }

    void flush() throws ClientGone {
        try {
            out.flush();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    /** Sends {@code data: [DONE]} and flushes. */
    void finish() throws ClientGone {
        write(ServerSentEvents.done());
        flush();
    }

    private void write(byte[] bytes) throws ClientGone {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }
}
