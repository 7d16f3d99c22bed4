/**
 * The wire-level seam between the HTTP server and the supplier router: a {@link dev.junction.openai.relay.Relay}
 * answers a call given its JSON body and writes to an {@link dev.junction.openai.relay.AnswerSink}, so bodies pass
 * through unchanged (fields Junction does not know included). Like the rest of {@code openai}: no HTTP, no model, no
 * inference types.
 */
package dev.junction.openai.relay;
