/**
 * By-hand tools that write vocabulary-only GGUF test data (see {@code bench/o200k/README.md}). Depends only on the
 * engine's {@code gguf} package; nothing in the product depends on it.
 */
package dev.junction.bench.vocab;
