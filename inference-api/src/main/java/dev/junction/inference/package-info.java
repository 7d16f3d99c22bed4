/**
 * The one surface every caller of a model sees: {@link dev.junction.inference.InferenceService} (list models,
 * start a generation that streams token events, cancel it), the request and event records, and the errors a caller
 * can act on. The local engine implements it; the HTTP server, the router and the gateway only ever talk to it.
 *
 * <p>Depends on nothing but the JDK, so that every module can depend on it.
 */
package dev.junction.inference;
