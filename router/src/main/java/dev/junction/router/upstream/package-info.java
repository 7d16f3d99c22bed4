/**
 * Calls to OpenAI-compatible upstream suppliers over HTTP: the request as bytes, the answer as event-stream data or a
 * whole body, deadlines, and typed failures the router can act on. Knows nothing of routing, deployments or the
 * OpenAI JSON beyond the event stream's framing; depends only on the JDK and the router's {@code config} records.
 */
package dev.junction.router.upstream;
