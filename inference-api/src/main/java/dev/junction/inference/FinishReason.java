package dev.junction.inference;

/** Why a generation ended. */
public enum FinishReason {
    /** An end-of-generation token or a stop string. */
    STOP,
    /** The token limit of the request or the end of the context. */
    LENGTH,
    /** The caller cancelled it (e.g. the client went away), or the service shut down. */
    CANCELLED
}
