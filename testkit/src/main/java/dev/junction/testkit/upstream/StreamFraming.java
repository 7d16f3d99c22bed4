package dev.junction.testkit.upstream;

/** How {@link FakeUpstream} delimits a streamed answer's body. */
public enum StreamFraming {
    /** {@code Transfer-Encoding: chunked}, one HTTP chunk per event; a cut stream lacks the last chunk. */
    CHUNKED,
    /** No length at all: {@code Connection: close}, the body ends when the connection does, cut or not. */
    CLOSE_DELIMITED
}
