package dev.junction.server;

/**
 * The client closed its connection before the server had read its whole request (a load balancer's health probe, a
 * cancelled browser request, a load test's burst ending): nobody is left to answer, so this is neither an error of
 * the server nor of the request. Counted with status 499 (as nginx does), logged at debug level only.
 */
final class ClientDisconnected extends RuntimeException {
    /** The status recorded for such a request; never sent, as no client reads it. */
    static final int STATUS = 499;

    ClientDisconnected(Throwable cause) {
        super("the client closed the connection before its request was read", cause, false, false);
    }
}
