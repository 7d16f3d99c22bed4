package dev.junction.engine.tokenizer;

import dev.junction.engine.gguf.GgufMetadata;

import java.util.List;
import java.util.OptionalInt;

/**
 * A model's tokenizer, built from GGUF metadata, that turns text into token ids and back exactly as llama.cpp does.
 * Instances are immutable and thread-safe; every method may be called concurrently.
 */
public sealed interface Tokenizer permits VocabTokenizer {

    /**
     * Builds the tokenizer described by the {@code tokenizer.ggml.*} metadata. Supports {@code tokenizer.ggml.model}
     * {@code llama} (SentencePiece-style) and {@code gpt2} (byte-level BPE, with the pre-tokenizer named by
     * {@code tokenizer.ggml.pre}).
     *
     * @throws IllegalArgumentException for an unsupported tokenizer model or pre-tokenizer
     * @throws dev.junction.engine.gguf.ModelFormatException for missing or malformed metadata
     */
    static Tokenizer fromGguf(GgufMetadata metadata) {
        return VocabTokenizer.load(metadata);
    }

    /**
     * Tokenizes {@code text}.
     *
     * @param addSpecial   add BOS/EOS as the model's {@code add_bos_token}/{@code add_eos_token} say
     * @param parseSpecial recognise the text of control tokens (such as {@code <|im_start|>}) in the input;
     *                     user-defined tokens are always recognised, as in llama.cpp
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** Characters {@code [start, end)} of a text. */
    record Span(int start, int end) {
        public Span {
            if (start < 0 || end < start) throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
    }

    /**
     * As {@link #encode(String, boolean, boolean) encode(text, addSpecial, true)}, except that the text of a special
     * token overlapping one of the {@code literals} spans is tokenized as plain text: what a chat prompt needs where a
     * message's own text spells a control token.
     */
    int[] encode(String text, boolean addSpecial, List<Span> literals);

    /**
     * The texts of the tokens a chat message's own text must not turn into, longest first: control tokens, as the
     * file declares them (such as {@code <|im_start|>}, and harmony's {@code <|start|>}, {@code <|message|>} or
     * {@code <|end|>}, which are then recognised in any input, as llama.cpp does) or as promoted by name (end-of-turn
     * tokens). Tokens the file declares user-defined, such as Qwen3's {@code <think>}, are not among them.
     */
    List<String> controlTexts();

    /** Text of the tokens as llama.cpp's {@code llama_detokenize(remove_special=false, unparse_special=false)}. */
    default String decode(int[] ids) {
        return decode(ids, false, false);
    }

    /**
     * Text of the tokens as llama.cpp's {@code llama_detokenize}: with {@code removeSpecial} a leading BOS and trailing
     * EOS (when the model adds them) are dropped; with {@code unparseSpecial} control tokens are rendered as their
     * text instead of nothing.
     */
    String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial);

    /**
     * The raw bytes a token stands for: byte tokens {@code <0xNN>} give that byte, SentencePiece {@code ▁} gives a
     * space, byte-level BPE pieces are mapped back to their bytes; control and unknown tokens give their text.
     */
    default byte[] tokenBytes(int id) {
        return tokenBytes(id, true);
    }

    /** As {@link #tokenBytes(int)}, but control and unknown tokens give no bytes unless {@code renderSpecial}. */
    byte[] tokenBytes(int id, boolean renderSpecial);

    /** The token's string as stored in the vocabulary. */
    String piece(int id);

    int vocabSize();

    /** The BOS token id, or -1 when the vocabulary has none. */
    int bos();

    /** The EOS token id, or -1 when the vocabulary has none. */
    int eos();

    /** Whether the model adds BOS when encoding with {@code addSpecial}. */
    boolean addsBos();

    /** Whether generation stops at this token: EOS, EOT, EOM and end-of-turn control tokens found by name. */
    boolean isEndOfGeneration(int id);

    /** Whether the token is a control token (after llama.cpp's promotion of end-of-turn tokens found by name). */
    boolean isControl(int id);

    /** The id of the vocabulary entry whose string is exactly {@code piece}. */
    OptionalInt tokenId(String piece);
}
