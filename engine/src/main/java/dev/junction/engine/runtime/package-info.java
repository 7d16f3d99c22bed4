/**
 * Running generations. A {@link dev.junction.engine.runtime.Session} is one conversation on one thread: it feeds a
 * prompt, samples, streams text and keeps its KV cache for the next turn.
 *
 * <p>The serving core batches many requests on one model, in the style of vLLM's v1 engine — schedule, execute,
 * update, once per step: the {@link dev.junction.engine.runtime.Scheduler} picks each step's tokens within a budget
 * (decodes first, then chunks of prompts), the {@link dev.junction.engine.runtime.BlockManager} pages the KV cache
 * into blocks and reuses cached prompt prefixes, a {@link dev.junction.engine.runtime.ModelRunner} runs the step, and
 * the engine thread samples each sequence's next token and streams it. The
 * {@link dev.junction.engine.runtime.LocalInferenceService} puts this behind
 * {@link dev.junction.inference.InferenceService}, configured by {@link dev.junction.engine.runtime.EngineConfig}.
 * Knows nothing of HTTP.
 */
package dev.junction.engine.runtime;
