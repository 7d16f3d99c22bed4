package dev.junction.engine.tokenizer;

import dev.junction.engine.gguf.GgufFile;
import dev.junction.engine.gguf.GgufMetadata;
import dev.junction.engine.gguf.MetadataValue;
import dev.junction.testkit.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.OptionalInt;
import java.util.SequencedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenizerTest {

    private static Tokenizer vocab(String name) {
        return VocabConformanceTest.load(name);
    }

    private static GgufMetadata metadata(String file) {
        try (GgufFile f = GgufFile.open(TestModels.file(file))) {
            return f.metadata();
        }
    }

    @Test
    void stories260kEncodesPromptWithBos() {
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(TestModels.stories260K())) {
            tok = Tokenizer.fromGguf(f.metadata());
        }
        assertThat(tok.vocabSize()).isEqualTo(512);
        assertThat(tok.bos()).isEqualTo(1);
        assertThat(tok.eos()).isEqualTo(2);
        int[] ids = tok.encode("Once upon a time", true, false);
        assertThat(ids).containsExactly(1, 403, 407, 261, 378);
        assertThat(tok.encode("Once upon a time", false, false)).containsExactly(403, 407, 261, 378);
        assertThat(tok.decode(new int[] {403, 407, 261, 378})).isEqualTo("Once upon a time");
        // as llama.cpp: a BOS in front keeps the leading space of the first word
        assertThat(tok.decode(ids)).isEqualTo(" Once upon a time");
        assertThat(tok.isEndOfGeneration(2)).isTrue();
        assertThat(tok.isEndOfGeneration(403)).isFalse();
        assertThat(tok.isControl(1)).isTrue();
        assertThat(tok.encode("", true, false)).containsExactly(1);
        assertThat(tok.encode("", false, false)).isEmpty();
    }

    static List<String> inputs() throws IOException {
        List<String> out = new ArrayList<>();
        for (VocabConformanceTest.Case c : VocabConformanceTest.cases("gpt-2")) out.add(c.input());
        return out;
    }

    /** Text that llama.cpp's clean_spaces rewrites on decoding (" ?", " !", " .", " ,", " '"). */
    private static boolean touchedByCleanSpaces(String s) {
        return s.contains(" ?") || s.contains(" !") || s.contains(" .") || s.contains(" ,") || s.contains(" '");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "falcon", "deepseek-llm", "deepseek-coder", "llama-bpe",
            "qwen2", "mpt", "starcoder", "refact"})
    void decodeInvertsEncode(String name) throws IOException {
        Tokenizer tok = vocab(name);
        boolean cleans = ((VocabTokenizer) tok).cleanSpaces;
        int checked = 0;
        for (String s : inputs()) {
            if (cleans && touchedByCleanSpaces(s)) continue;
            assertThat(tok.decode(tok.encode(s, false, false))).as("round trip of %s", VocabConformanceTest.quote(s))
                    .isEqualTo(s);
            checked++;
        }
        assertThat(checked).isGreaterThan(35);
    }

    @Test
    void cleanSpacesAsLlamaCpp() {
        Tokenizer gpt2 = vocab("gpt-2");
        assertThat(gpt2.decode(gpt2.encode("Hello , world ! How 's it ?", false, false)))
                .isEqualTo("Hello, world! How's it?");
        Tokenizer qwen = vocab("qwen2");
        assertThat(qwen.decode(qwen.encode("Hello , world !", false, false))).isEqualTo("Hello , world !");
    }

    @Test
    void tokenBytesAndPieces() {
        Tokenizer spm = vocab("llama-spm");
        int hello = spm.tokenId("▁Hello").orElseThrow();
        assertThat(spm.piece(hello)).isEqualTo("▁Hello");
        assertThat(new String(spm.tokenBytes(hello), StandardCharsets.UTF_8)).isEqualTo(" Hello");
        int nl = spm.tokenId("<0x0A>").orElseThrow();
        assertThat(spm.tokenBytes(nl)).containsExactly('\n');
        assertThat(spm.tokenBytes(spm.tokenId("<0xF0>").orElseThrow())).containsExactly((byte) 0xF0);
        assertThat(spm.tokenBytes(spm.bos())).isEqualTo("<s>".getBytes(StandardCharsets.UTF_8));
        assertThat(spm.tokenBytes(spm.bos(), false)).isEmpty();

        Tokenizer gpt2 = vocab("gpt-2");
        int world = gpt2.tokenId("Ġworld").orElseThrow();
        assertThat(new String(gpt2.tokenBytes(world), StandardCharsets.UTF_8)).isEqualTo(" world");
        assertThat(gpt2.tokenId("no such piece at all")).isEqualTo(OptionalInt.empty());
        assertThat(gpt2.vocabSize()).isEqualTo(50257);
        assertThat(gpt2.isEndOfGeneration(50256)).isTrue();
    }

    @Test
    void qwen2ParsesSpecialTokensOnlyWhenAsked() {
        Tokenizer tok = vocab("qwen2");
        int imStart = tok.tokenId("<|im_start|>").orElseThrow();
        int imEnd = tok.tokenId("<|im_end|>").orElseThrow();
        String prompt = "<|im_start|>user\nHello<|im_end|>\n";
        int[] parsed = tok.encode(prompt, false, true);
        assertThat(parsed[0]).isEqualTo(imStart);
        assertThat(parsed).contains(imEnd);
        assertThat(parsed.length).isLessThan(8);
        int[] literal = tok.encode(prompt, false, false);
        assertThat(literal).doesNotContain(imStart, imEnd);
        assertThat(tok.isControl(imStart)).isTrue();
        assertThat(tok.isEndOfGeneration(imEnd)).isTrue();
        assertThat(tok.isEndOfGeneration(imStart)).isFalse();
        // control tokens are dropped on decode unless asked for
        assertThat(tok.decode(parsed)).isEqualTo("user\nHello\n");
        assertThat(tok.decode(parsed, false, true)).isEqualTo(prompt);
        assertThat(tok.decode(literal)).isEqualTo(prompt);
    }

    @Test
    void llama3EndOfGenerationTokens() {
        Tokenizer tok = vocab("llama-bpe");
        for (String t : new String[] {"<|eot_id|>", "<|end_of_text|>"}) {
            OptionalInt id = tok.tokenId(t);
            assertThat(id).isPresent();
            assertThat(tok.isEndOfGeneration(id.getAsInt())).as(t).isTrue();
            assertThat(tok.isControl(id.getAsInt())).as(t).isTrue();
        }
        int bot = tok.tokenId("<|begin_of_text|>").orElseThrow();
        assertThat(tok.bos()).isEqualTo(bot);
        assertThat(tok.isEndOfGeneration(bot)).isFalse();
        assertThat(tok.encode("Hello", true, false)[0]).isEqualTo(bot);
    }

    @Test
    void unsupportedModelsFailAtLoad() {
        assertThatThrownBy(() -> Tokenizer.fromGguf(metadata("vocab/ggml-vocab-bert-bge.gguf")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported tokenizer model bert");

        GgufMetadata gpt2 = metadata("vocab/ggml-vocab-gpt-2.gguf");
        SequencedMap<String, MetadataValue> values = new LinkedHashMap<>(gpt2.asMap());
        values.put("tokenizer.ggml.pre", MetadataValue.string("no-such-pre"));
        assertThatThrownBy(() -> Tokenizer.fromGguf(new GgufMetadata(null, values)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-pre");
    }

    @Test
    void streamingNeverSplitsACharacter() {
        Tokenizer spm = vocab("llama-spm");
        int[] ids = spm.encode("a 🦙 b", false, false);
        StreamingDecoder d = new StreamingDecoder(spm);
        List<String> chunks = new ArrayList<>();
        for (int id : ids) chunks.add(d.next(id));
        chunks.add(d.flush());
        assertThat(String.join("", chunks)).isEqualTo(" a 🦙 b");
        // the emoji is four byte tokens <0xF0><0x9F><0xA6><0x99>: the first three give nothing, the last all of it
        assertThat(chunks).containsExactly(" a", " ", "", "", "", "🦙", " b", "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "gpt-2", "llama-bpe", "qwen2"})
    void streamingEqualsConcatenatedBytes(String name) throws IOException {
        Tokenizer tok = vocab(name);
        String all = String.join("\n", inputs());
        int[] ids = tok.encode(all, false, false);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StreamingDecoder d = new StreamingDecoder(tok);
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            bytes.writeBytes(tok.tokenBytes(id, false));
            String chunk = d.next(id);
            assertThat(chunk).doesNotContain("\uFFFD");
            if (!chunk.isEmpty()) {
                assertThat(Character.isLowSurrogate(chunk.charAt(0))).isFalse();
                assertThat(Character.isHighSurrogate(chunk.charAt(chunk.length() - 1))).isFalse();
            }
            streamed.append(chunk);
        }
        streamed.append(d.flush());
        assertThat(streamed.toString()).isEqualTo(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
    }

    @Test
    void streamingHoldsOnlyCompletableBytes() {
        byte[] b = {'a', (byte) 0xF0, (byte) 0x9F};
        assertThat(StreamingDecoder.completePrefix(b, 3)).isEqualTo(1);
        byte[] broken = {'a', (byte) 0xE0, (byte) 0x80};
        assertThat(StreamingDecoder.completePrefix(broken, 3)).isEqualTo(3);
        byte[] stray = {'a', (byte) 0x80};
        assertThat(StreamingDecoder.completePrefix(stray, 2)).isEqualTo(2);
    }

    @Test
    void concurrentEncodingIsConsistent() throws Exception {
        Tokenizer tok = vocab("llama-bpe");
        List<String> inputs = inputs();
        List<int[]> expected = inputs.stream().map(s -> tok.encode(s, false, false)).toList();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int r = 0; r < 20; r++) {
                        for (int i = 0; i < inputs.size(); i++) {
                            if (!Arrays.equals(tok.encode(inputs.get(i), false, false), expected.get(i))) return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) assertThat(f.get()).isTrue();
        }
    }

    /**
     * Qwen2's 151k tokens, the largest vocabulary in the fixtures (a load quadratic in the vocabulary would show
     * here): every token loads, each piece finds its own id, and the merges encode a text back to itself.
     */
    @Test
    void largeVocabularyLoadsWhole() {
        GgufMetadata md = metadata("vocab/ggml-vocab-qwen2.gguf");
        String[] pieces = (String[]) md.get("tokenizer.ggml.tokens").orElseThrow().value();
        Tokenizer tok = Tokenizer.fromGguf(md);
        assertThat(tok.vocabSize()).isEqualTo(pieces.length).isGreaterThan(150_000);
        for (int id = 0; id < pieces.length; id++) {
            assertThat(tok.piece(id)).isEqualTo(pieces[id]);
            assertThat(tok.tokenId(pieces[id])).as(pieces[id]).hasValue(id);
        }
        String text = "The quick brown fox jumps over the lazy dog.";
        int[] ids = tok.encode(text, false, false);
        assertThat(ids.length).isBetween(2, text.length() / 2);
        assertThat(tok.decode(ids)).isEqualTo(text);
    }
}
