package dev.junction.inference;

/** A queued or running generation: a handle to cancel it. */
public interface Generation {
    /** An id unique within the service, for logs. */
    String id();

    /**
     * Stops the generation within one engine step and frees what it holds; it then completes with
     * {@link FinishReason#CANCELLED}. Idempotent; does nothing once it has ended.
     */
    void cancel();
}
