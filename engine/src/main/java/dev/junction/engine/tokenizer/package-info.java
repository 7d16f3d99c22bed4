/**
 * Tokenizers built from GGUF metadata that reproduce llama.cpp's tokenizer (llama-vocab.cpp) token for token:
 * SentencePiece-style vocabularies ({@code tokenizer.ggml.model = llama}, score-ordered bigram merges with byte
 * fallback) and byte-level BPE vocabularies ({@code gpt2}, rank-ordered merges after a pre-tokenizer regex chosen by
 * {@code tokenizer.ggml.pre}), including llama.cpp's special-token partitioning, end-of-generation detection and
 * detokenization rules; {@link dev.junction.engine.tokenizer.Tokenizer#fromGguf} is the entry point and
 * {@link dev.junction.engine.tokenizer.StreamingDecoder} turns generated tokens into text without ever splitting a
 * UTF-8 character.
 */
package dev.junction.engine.tokenizer;
