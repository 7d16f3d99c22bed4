package dev.junction.openai.relay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.openai.CompletionUsage;

import java.util.List;

/**
 * Answers OpenAI API calls at the wire level: given a request's JSON body (already known to be an object naming a
 * {@code model}), writes the answer to an {@link AnswerSink} without needing to understand the rest of the body.
 * The supplier router is one; the HTTP server hands its {@code /v1} calls to one when it has it.
 */
public interface Relay {
    /** The public model names served, in a stable order. */
    List<String> models();

    /**
     * Answers one call on the calling thread, returning when the answer has been written to its end (or failed).
     * Interrupting the thread abandons the call: what is under way is cancelled and {@link InterruptedException}
     * thrown.
     *
     * @return the tokens the call consumed, when known; null otherwise
     */
    CompletionUsage relay(Endpoint endpoint, ObjectNode body, AnswerSink sink) throws InterruptedException;

    /**
     * Waits up to {@code graceMillis} for the calls under way to end (the server has stopped taking new ones).
     *
     * @return whether none is left
     */
    boolean awaitIdle(long graceMillis) throws InterruptedException;
}
