/**
 * Serves any {@link dev.junction.inference.InferenceService} over the OpenAI HTTP API (Javalin on Jetty, one
 * virtual thread per request): chat and legacy completions, streamed or not, model listing, health, readiness and
 * Prometheus metrics. {@link dev.junction.server.OpenAiServer} is the entry point; the wire format itself lives in
 * {@code dev.junction.openai}.
 *
 * <p>A model is reached only through {@code InferenceService}: this package never depends on the engine. The
 * service's thread only enqueues token events; each request's own thread writes them, so a slow client never stalls
 * generation, and a client that goes away has its generation cancelled. {@link dev.junction.server.RequestInterceptor}
 * is the seam where authentication, limits, metering and audit plug in.
 */
package dev.junction.server;
