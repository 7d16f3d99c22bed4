package dev.junction.router.upstream;

import dev.junction.router.config.Timeouts;

import java.time.Duration;

/**
 * Why a call to an upstream did not end well. Each says what the router needs to decide: whether the deployment is
 * at fault (its breaker counts it), whether it asked to be left alone for a while, and — with the number of events
 * already passed on, which the router tracks — whether the request may still be retried elsewhere. The texts are for
 * the log; none of them is ever shown to a client.
 */
public sealed interface UpstreamFailure {
    /** For the log: what happened, without credentials or the upstream's body beyond a short excerpt. */
    String describe();

    /** No connection could be made (refused, unreachable, timed out connecting, TLS failed). */
    record ConnectFailed(String detail) implements UpstreamFailure {
        @Override
        public String describe() {
            return "connection failed: " + detail;
        }
    }

    /** A deadline of {@link Timeouts} passed. */
    record TimedOut(Phase phase) implements UpstreamFailure {
        public enum Phase { FIRST_TOKEN, IDLE, TOTAL }

        @Override
        public String describe() {
            return "timed out (" + phase.name().toLowerCase().replace('_', ' ') + ")";
        }
    }

    /**
     * The upstream answered with a status other than 2xx.
     *
     * @param retryAfter its {@code Retry-After}, or null
     * @param excerpt    the start of its body, for the log only
     */
    record Status(int code, Duration retryAfter, String excerpt) implements UpstreamFailure {
        @Override
        public String describe() {
            return "status " + code + (retryAfter != null ? " (retry after " + retryAfter.toSeconds() + " s)" : "")
                    + ": " + excerpt;
        }
    }

    /** The answer was not what the protocol allows (an over-long line, a body too large). */
    record Malformed(String detail) implements UpstreamFailure {
        @Override
        public String describe() {
            return "malformed answer: " + detail;
        }
    }

    /** The connection ended before the answer did: a stream without its {@code [DONE]}, or no answer at all. */
    record Cut(int events, String detail) implements UpstreamFailure {
        @Override
        public String describe() {
            return "cut after " + events + " events: " + detail;
        }
    }
}
