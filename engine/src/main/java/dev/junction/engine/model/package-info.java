/**
 * Models as the engine runs them: an {@link dev.junction.engine.model.Architecture} (a few named feature records), its
 * hyper-parameters ({@link dev.junction.engine.model.ModelConfig}) and tensor manifest read from GGUF metadata, the
 * weights, and one shared forward pass ({@link dev.junction.engine.model.Transformer}) over batches of rows from any
 * sequences. Keys and values live in blocks of a {@link dev.junction.engine.model.KvPool}, mapped into each
 * sequence by its {@link dev.junction.engine.model.KvCache} block table. Also writes random-weight models of any
 * shape ({@link dev.junction.engine.model.SyntheticModel}). No I/O beyond the model file.
 */
package dev.junction.engine.model;
