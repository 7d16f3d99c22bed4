package dev.junction.server;

import dev.junction.inference.Completion;
import dev.junction.inference.FinishReason;
import dev.junction.inference.InferenceException;
import dev.junction.inference.TokenEvent;
import dev.junction.inference.TokenLogprob;
import dev.junction.inference.Usage;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * Writes the choices of one request as a server-sent event stream, on the request's own thread.
 *
 * <p>Nothing is committed until the first event arrives, so a request that fails while queued (queue timeout,
 * shutdown) still gets its HTTP status; a client that leaves before then is noticed by a {@link ClientWatch}. After that a failure is sent as a final {@code {"error": …}} event. Events
 * that are already waiting are written together and flushed once, so a slow client costs syscalls, not tokens. When
 * a write fails the client has gone: the generations are cancelled at once and the disconnect counted.
 */
final class StreamingResponse {
    private static final Logger log = LoggerFactory.getLogger(StreamingResponse.class);
    /** How long to wait, after cancelling, for the engine to report what the cancelled choices consumed. */
    private static final Duration DRAIN_PATIENCE = Duration.ofSeconds(2);

    private StreamingResponse() {
    }

    /** @return the tokens consumed */
    static Usage run(Context ctx, ApiCall call, Choices choices, ChunkFormat format, boolean includeUsage,
                     ServerMetrics metrics) throws InterruptedException {
        Choices.Event event = ClientWatch.first(ctx, choices, metrics);
        if (event == null) { // the client left before anything was written
            call.clientLeft();
            choices.cancelAndDrain(DRAIN_PATIENCE);
            return choices.usage();
        }
        if (event instanceof Choices.Failed(int i, InferenceException error)) throw error;
        if (isCancelled(event)) throw Choices.cancelledByShutdown();
        try {
            EventStream stream = EventStream.open(ctx.res());
            for (Object chunk : format.opening()) stream.send(chunk);
            while (true) {
                switch (event) {
                    case Choices.PromptScored(int i, List<TokenLogprob> logprobs) -> {
                        Object chunk = format.prompt(i, logprobs);
                        if (chunk != null) stream.send(chunk);
                    }
                    case Choices.Token(int i, TokenEvent token) -> {
                        Object chunk = format.token(i, token);
                        if (chunk != null) {
                            stream.send(chunk);
                            call.firstToken(metrics.now());
                        }
                    }
                    case Choices.Done(int i, Completion completion) -> {
                        if (completion.finishReason() == FinishReason.CANCELLED) {
                            return fail(stream, call, choices, Choices.cancelledByShutdown());
                        }
                        stream.send(format.finish(i, completion.finishReason()));
                    }
                    case Choices.Failed(int i, InferenceException error) -> {
                        return fail(stream, call, choices, error);
                    }
                }
                if (choices.allEnded()) break;
                if (!choices.hasPending()) stream.flush();
                event = choices.next();
            }
            Usage usage = choices.usage();
            if (includeUsage) {
                stream.send(format.usage(ChunkFormat.usage(usage)));
            }
            stream.finish();
            return usage;
        } catch (EventStream.ClientGone gone) {
            call.clientLeft();
            metrics.clientDisconnected();
            log.debug("Client went away mid-stream; cancelling its generations");
            choices.cancelAndDrain(DRAIN_PATIENCE);
            return choices.usage();
        }
    }

    private static Usage fail(EventStream stream, ApiCall call, Choices choices, InferenceException error)
            throws EventStream.ClientGone {
        call.failedMidway();
        choices.cancelAll();
        if (error.kind() == InferenceException.Kind.INTERNAL) log.error("A generation failed midway", error);
        stream.send(ApiException.from(error).error().body());
        stream.finish();
        return choices.usage();
    }

    private static boolean isCancelled(Choices.Event event) {
        return event instanceof Choices.Done(int i, Completion c) && c.finishReason() == FinishReason.CANCELLED;
    }
}
