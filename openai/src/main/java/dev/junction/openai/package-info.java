/**
 * The OpenAI API's wire format: the requests a client sends ({@link dev.junction.openai.ChatCompletionRequest},
 * {@link dev.junction.openai.CompletionRequest}), the responses and stream chunks it expects back, error bodies and
 * server-sent events, and the one {@link dev.junction.openai.OpenAiJson} codec that reads and writes them.
 *
 * <p>It exists so that the HTTP server (and later the router's upstream client) share one exact reading of the
 * format. Requests are read by hand, field by field, so that every error names the field at fault the way the OpenAI
 * API does; responses are records written by Jackson's record binding with snake_case names. Depends on nothing but
 * Jackson: no HTTP, no model, no inference types.
 */
package dev.junction.openai;
