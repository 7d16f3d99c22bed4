/**
 * The compute kernels of a transformer step: weight-matrix × vector products spread over a thread pool, and the small
 * vector operations (RMSNorm, softmax, SwiGLU, dot, axpy). Knows tensors' formats only through
 * {@link dev.junction.engine.tensor.QuantFormat}; knows nothing of models, tokens or requests.
 */
package dev.junction.engine.kernel;
