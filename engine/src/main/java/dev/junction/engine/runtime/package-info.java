/**
 * Running generations. A {@link dev.junction.engine.runtime.Session} is one conversation on one thread: it feeds a
 * prompt, samples, streams text and keeps its KV cache for the next turn.
 *
 * <p>The serving core batches many requests on one model, in the style of vLLM's v1 engine — schedule, execute,
 * update, once per step: the {@link dev.junction.engine.runtime.Scheduler} picks each step's tokens within a budget
 * (decodes first, then chunks of prompts), the {@link dev.junction.engine.runtime.BlockManager} pages the KV cache
 * into blocks (in two {@link dev.junction.engine.runtime.BlockPool}s when sliding-window layers keep only their window)
 * and reuses cached prompt prefixes, a {@link dev.junction.engine.runtime.ModelRunner} runs the step, and
 * the {@link dev.junction.engine.runtime.EngineCore} samples each sequence's next token and streams it. The core has
 * no threads: the engine loop (one platform thread per model) drives it, and tests drive it step by step. The
 * {@link dev.junction.engine.runtime.LocalInferenceService} puts this behind
 * {@link dev.junction.inference.InferenceService}, configured by {@link dev.junction.engine.runtime.EngineConfig}.
 * Must not depend on HTTP, the OpenAI wire format or any other Junction module but {@code inference-api}.
 */
package dev.junction.engine.runtime;
