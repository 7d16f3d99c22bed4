/**
 * The compute kernels of a transformer step: weight-matrix × vector products spread over a thread pool, and the small
 * vector operations (RMSNorm, softmax, SwiGLU, dot, axpy).
 *
 * <p>Depends only on the public API of {@code dev.junction.engine.tensor}: a weight format as a
 * {@link dev.junction.engine.tensor.QuantFormat} (with its {@link dev.junction.engine.tensor.GgmlType}), and the
 * 8-bit activation buffers the quantized kernels take, {@link dev.junction.engine.tensor.QuantizedActivations} and
 * {@link dev.junction.engine.tensor.QuantizedBatch}. It must not name a concrete format (no {@code Q8_0Format}, no
 * branching on a type beyond its block size) nor depend on any other engine package: it knows nothing of GGUF files,
 * models, tokens or requests.
 */
package dev.junction.engine.kernel;
