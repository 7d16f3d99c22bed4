/**
 * Tensor element types and their compute kernels. {@link dev.junction.engine.tensor.GgmlType} names the types a GGUF
 * file can use; {@link dev.junction.engine.tensor.QuantFormat} is one type as the engine computes with it, with
 * block layouts byte-for-byte those of ggml/llama.cpp (little-endian, fp16 scales as IEEE half). Each format has a
 * plain scalar reference ({@code dotReference}, {@code dequantize}) that serves as the oracle in tests, and a fast
 * {@code dot} written with the incubating Vector API that decodes weights in registers straight from the
 * memory-mapped file. {@link dev.junction.engine.tensor.QuantFormats} maps each supported type to its singleton.
 *
 * <p>The block-quantized formats also multiply by activations quantized to 8 bits once per step
 * ({@link dev.junction.engine.tensor.QuantizedActivations}, ggml's Q8_0/Q8_K), with integer products summed per
 * block ({@link dev.junction.engine.tensor.QuantFormat#dotQuantized}), as llama.cpp does on the CPU; the scalar
 * {@code dotQuantizedReference} is its oracle.
 *
 * <p>Batched products have kernels that read a row once for several vectors
 * ({@link dev.junction.engine.tensor.QuantFormat#dotQuantized8} with {@link dev.junction.engine.tensor.QuantizedBatch},
 * {@link dev.junction.engine.tensor.QuantFormat#dot4}) and give exactly the single-vector kernels' bits, so that a
 * sequence's numbers never depend on what it is batched with. The fast kernels sum vector lanes in a fixed order
 * for the same reason ({@code reduceLanes(ADD)} leaves its order to the JIT).
 */
package dev.junction.engine.tensor;
