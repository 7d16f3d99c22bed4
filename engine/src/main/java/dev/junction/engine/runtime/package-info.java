/**
 * Running generations: a {@link dev.junction.engine.runtime.Session} feeds a prompt, samples, streams text and keeps
 * its KV cache for the next turn. The serving scheduler (continuous batching, paged KV cache) will live here too.
 * Knows nothing of HTTP.
 */
package dev.junction.engine.runtime;
