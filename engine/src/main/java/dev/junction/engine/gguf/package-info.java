/**
 * GGUF, the model file format of llama.cpp, which Junction reads and writes as its native format: {@link
 * dev.junction.engine.gguf.GgufFile} memory-maps a file and hands out metadata and zero-copy tensor slices, treating
 * every byte as untrusted so that a corrupt, truncated or hostile file fails with a {@link
 * dev.junction.engine.gguf.ModelFormatException} naming the file and the problem rather than with a crash or an
 * out-of-memory error; {@link dev.junction.engine.gguf.GgufWriter} produces files with llama.cpp's exact layout, so
 * tests, converters and quantizers can make models that any GGUF reader accepts and that round-trip byte for byte.
 */
package dev.junction.engine.gguf;
