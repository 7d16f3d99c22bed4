/**
 * The attempt loop of one routed request: the model's strategy orders its deployments, each is tried in turn (breaker
 * permit, then contract reservation, then the call), a failure before anything reached the client moves on to the
 * next within the retry budget, and one after ends the answer with an error; every permit and reservation is
 * completed exactly once. Must not depend on the HTTP server or the engine: the answer goes to an {@link
 * dev.junction.openai.relay.AnswerSink}.
 */
package dev.junction.router.route;
