package dev.junction.testkit.upstream;

/** Whether {@link FakeUpstream} gives back the body it received, so a test can see what a router forwarded. */
public enum Echo {
    /** The normal answer. */
    OFF,
    /**
     * The received body, as text, is the answer's whole content: the message content of a chat answer, the
     * {@code text} of a completion, one event when streamed (so completion tokens are 1).
     */
    CONTENT,
    /** The normal answer, with the received body in Base64 in the header {@value FakeUpstream#ECHO_HEADER}. */
    HEADER
}
