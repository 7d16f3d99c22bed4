package dev.junction.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regex pre-tokenizer of a byte-level BPE vocabulary, chosen by {@code tokenizer.ggml.pre} as llama.cpp does.
 * Like llama.cpp, the expressions are applied in sequence: each one splits every piece left by the previous ones into
 * its matches and the stretches between them. Whitespace is Unicode White_Space, letters/numbers/punctuation are
 * Unicode general categories L, N and P; {@code $} is the end of the piece. Immutable and thread-safe.
 */
final class PreTokenizer {
    /** Unicode White_Space, the set llama.cpp's unicode tables call whitespace (class body, no brackets). */
    private static final String WS = "\\t\\n\\x0B\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}"
            + "\\x{202F}\\x{205F}\\x{3000}";
    private static final String S = "[" + WS + "]";
    private static final String NS = "[^" + WS + "]";

    private static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" + WS + "\\p{L}\\p{N}]+|"
            + S + "+(?!" + NS + ")";
    private static final String LLAMA3_HEAD = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|";
    private static final String LLAMA3_TAIL = "| ?[^" + WS + "\\p{L}\\p{N}]+[\\r\\n]*|" + S + "*[\\r\\n]+|"
            + S + "+(?!" + NS + ")|" + S + "+";
    private static final String LLAMA3 = LLAMA3_HEAD + "\\p{N}{1,3}" + LLAMA3_TAIL;
    private static final String QWEN2 = LLAMA3_HEAD + "\\p{N}" + LLAMA3_TAIL;
    /** An optional English contraction suffix, ASCII case-insensitive. */
    private static final String CONTRACTION = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?";
    private static final String UPPER = "[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]";
    private static final String LOWER = "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]";
    /**
     * tiktoken's o200k pattern (gpt-4o, gpt-oss) as tiktoken writes it: case-aware letter runs (an upper-case run ends
     * where a lower-case run starts) with marks inside, the contraction as an optional suffix, digits in threes, and a
     * punctuation run that also takes a trailing {@code /}. The contraction is matched ASCII case-insensitively, as
     * llama.cpp and js-tiktoken spell it out.
     */
    private static final String GPT4O = "[^\\r\\n\\p{L}\\p{N}]?" + UPPER + "*" + LOWER + "+" + CONTRACTION
            + "|[^\\r\\n\\p{L}\\p{N}]?" + UPPER + "+" + LOWER + "*" + CONTRACTION
            + "|\\p{N}{1,3}| ?[^" + WS + "\\p{L}\\p{N}]+[\\r\\n/]*|" + S + "*[\\r\\n]+|" + S + "+(?!" + NS + ")|"
            + S + "+";
    private static final String CJK = "[\\x{4E00}-\\x{9FA5}\\x{0800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";
    /** deepseek-llm's letter class (cased letters), as code points. */
    private static final String DEEPSEEK_LLM_LETTERS = S + "?["
            + "\\x{0041}-\\x{005A}\\x{0061}-\\x{007A}\\x{00B5}\\x{00C0}-\\x{00D6}\\x{00D8}-\\x{00F6}"
            + "\\x{00F8}-\\x{01BA}\\x{01BC}-\\x{01BF}\\x{01C4}-\\x{0293}\\x{0295}-\\x{02AF}"
            + "\\x{0370}-\\x{0373}\\x{0376}-\\x{0377}\\x{037B}-\\x{037D}\\x{037F}\\x{0386}"
            + "\\x{0388}-\\x{038A}\\x{038C}\\x{038E}-\\x{03A1}\\x{03A3}-\\x{03F5}\\x{03F7}-\\x{0481}"
            + "\\x{048A}-\\x{052F}\\x{0531}-\\x{0556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}"
            + "\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}"
            + "\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}"
            + "\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}"
            + "\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}"
            + "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
            + "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}"
            + "\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}"
            + "\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}-\\x{2184}"
            + "\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}-\\x{2CF3}"
            + "\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}"
            + "\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}"
            + "\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}"
            + "\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}"
            + "\\x{1E900}-\\x{1E943}" + "]+";
    private static final String DEEPSEEK_LLM_PUNCT = S + "?[\\x{0021}-\\x{002F}\\x{003A}-\\x{007E}"
            + "\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+";

    private static final List<String> DEFAULT_EXPRS = List.of(
            "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");

    /** tokenizer.ggml.pre value → expressions, as llama.cpp at c392e509 maps them. */
    private static final Map<String, List<String>> BY_NAME = Map.ofEntries(
            Map.entry("default", DEFAULT_EXPRS),
            Map.entry("llama3", List.of(LLAMA3)),
            Map.entry("llama-v3", List.of(LLAMA3)),
            Map.entry("llama-bpe", List.of(LLAMA3)),
            Map.entry("falcon3", List.of(LLAMA3)),
            Map.entry("dbrx", List.of(LLAMA3)),
            Map.entry("smaug-bpe", List.of(LLAMA3)),
            Map.entry("deepseek-llm", List.of("[\\r\\n]", DEEPSEEK_LLM_LETTERS, DEEPSEEK_LLM_PUNCT, S + "+\\z",
                    CJK, "\\p{N}+")),
            Map.entry("deepseek-coder", List.of("[\\r\\n]", S + "?\\p{L}+", S + "?\\p{P}+", CJK, "\\p{N}")),
            Map.entry("falcon", List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]")),
            Map.entry("mpt", List.of(GPT2)),
            Map.entry("gpt-2", List.of(GPT2)),
            Map.entry("phi-2", List.of(GPT2)),
            Map.entry("olmo", List.of(GPT2)),
            Map.entry("jais", List.of(GPT2)),
            Map.entry("jina-es", List.of(GPT2)),
            Map.entry("jina-de", List.of(GPT2)),
            Map.entry("jina-v2-es", List.of(GPT2)),
            Map.entry("jina-v2-de", List.of(GPT2)),
            Map.entry("starcoder", List.of("\\p{N}", GPT2)),
            Map.entry("refact", List.of("\\p{N}", GPT2)),
            Map.entry("command-r", List.of("\\p{N}", GPT2)),
            Map.entry("smollm", List.of("\\p{N}", GPT2)),
            Map.entry("codeshell", List.of("\\p{N}", GPT2)),
            Map.entry("exaone", List.of("\\p{N}", GPT2)),
            Map.entry("qwen2", List.of(QWEN2)),
            Map.entry("deepseek-r1-qwen", List.of(QWEN2)),
            Map.entry("stablelm2", List.of(QWEN2)),
            Map.entry("gpt-4o", List.of(GPT4O)),
            Map.entry("llama4", List.of(GPT4O)));

    private static final Map<String, PreTokenizer> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    private final String name;
    private final Pattern[] patterns;

    private PreTokenizer(String name, List<String> exprs) {
        this.name = name;
        this.patterns = exprs.stream().map(Pattern::compile).toArray(Pattern[]::new);
    }

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} value; a missing value means {@code default}. */
    static PreTokenizer forName(String pre) {
        String key = pre == null || pre.isEmpty() ? "default" : pre;
        List<String> exprs = BY_NAME.get(key);
        if (exprs == null) {
            throw new IllegalArgumentException("unsupported pre-tokenizer type '" + pre + "' (tokenizer.ggml.pre); known: "
                    + new java.util.TreeSet<>(BY_NAME.keySet()));
        }
        return CACHE.computeIfAbsent(key, k -> new PreTokenizer(k, exprs));
    }

    String name() {
        return name;
    }

    /** Splits {@code text} into pre-tokenized words (original text, not yet byte-encoded). */
    List<String> split(String text) {
        // piece boundaries as char offsets: [bounds[i], bounds[i+1])
        int[] bounds = {0, text.length()};
        int n = 1;
        for (Pattern p : patterns) {
            Matcher m = p.matcher(text);
            int[] out = new int[Math.max(16, n * 2 + 2)];
            int k = 0;
            out[k++] = 0;
            for (int i = 0; i < n; i++) {
                int start = bounds[i], end = bounds[i + 1];
                if (start == end) continue;
                m.region(start, end);
                int last = start;
                while (m.find()) {
                    int ms = m.start(), me = m.end();
                    if (me == ms) continue;
                    if (k + 3 > out.length) out = java.util.Arrays.copyOf(out, out.length * 2);
                    if (ms > last) out[k++] = ms;
                    out[k++] = me;
                    last = me;
                }
                if (last < end) {
                    if (k + 1 > out.length) out = java.util.Arrays.copyOf(out, out.length * 2);
                    out[k++] = end;
                }
            }
            bounds = out;
            n = k - 1;
        }
        List<String> words = new ArrayList<>(n);
        for (int i = 0; i < n; i++) words.add(text.substring(bounds[i], bounds[i + 1]));
        return words;
    }
}
