package dev.junction.engine.tokenizer;

import dev.junction.engine.gguf.GgufMetadata;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The vocabulary and the parts of llama.cpp's tokenizer shared by both algorithms: token attributes, special-token
 * ids, end-of-generation set, special-token partitioning of the input and detokenization. Immutable after loading.
 */
abstract sealed class VocabTokenizer implements Tokenizer permits SpmTokenizer, BpeTokenizer {
    // llama_token_attr bits
    static final int ATTR_UNKNOWN = 1 << 0;
    static final int ATTR_UNUSED = 1 << 1;
    static final int ATTR_NORMAL = 1 << 2;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_BYTE = 1 << 5;
    static final int ATTR_LSTRIP = 1 << 7;
    static final int ATTR_RSTRIP = 1 << 8;
    private static final int ATTR_SPECIAL = ATTR_UNKNOWN | ATTR_CONTROL;

    private static final String KEY = "tokenizer.ggml.";
    /** o200k_harmony's message markers: control tokens in the file, recognised in any input as llama.cpp does. */
    private static final String[] HARMONY_MARKERS = {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"};

    final String[] tokens;
    final float[] scores;
    final int[] attrs;
    final Map<String, Integer> tokenToId;
    final int bosId, eosId, unkId, eotId, eomId;
    final boolean addBos, addEos, addSpacePrefix, cleanSpaces;
    private final BitSet eog;
    /** Control, user-defined and unknown tokens, longest text first (llama.cpp's cache_special_tokens). */
    private final int[] specialTokens;
    /** The texts of control tokens, as the file declares them or as promoted by name, longest first. */
    private final List<String> controlTexts;
    /** token_to_piece with special = true, per token. */
    private final byte[][] pieces;

    /** Settings decided while loading, before the common vocabulary processing. */
    record Config(int bos, int eos, int unk, boolean addBos, boolean addSpacePrefix, boolean cleanSpaces) {}

    VocabTokenizer(GgufMetadata md, String[] rawTokens, Config config) {
        int n = rawTokens.length;
        if (n == 0) throw new IllegalArgumentException("tokenizer has an empty vocabulary (" + KEY + "tokens)");
        tokens = new String[n];
        tokenToId = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            String t = rawTokens[i].isEmpty() ? "[EMPTY_" + i + "]" : rawTokens[i];
            tokens[i] = t;
            tokenToId.put(t, i);
        }
        float[] sc = md.getFloatArray(KEY + "scores").orElse(null);
        if (sc != null && sc.length != n) {
            throw new IllegalArgumentException(KEY + "scores has " + sc.length + " entries for " + n + " tokens");
        }
        scores = sc != null ? sc : new float[n];
        int[] types = md.getIntArray(KEY + "token_type").orElse(null);
        if (types != null && types.length != n) {
            throw new IllegalArgumentException(KEY + "token_type has " + types.length + " entries for " + n + " tokens");
        }
        attrs = new int[n];
        BitSet declaredControl = new BitSet(n); // before llama.cpp's changes by name below
        for (int i = 0; i < n; i++) {
            if (types != null && types[i] == 3) declaredControl.set(i);
            attrs[i] = types == null ? ATTR_NORMAL : switch (types[i]) {
                case 1 -> ATTR_NORMAL;
                case 2 -> ATTR_UNKNOWN;
                case 3 -> ATTR_CONTROL;
                case 4 -> ATTR_USER_DEFINED;
                case 5 -> ATTR_UNUSED;
                case 6 -> ATTR_BYTE;
                default -> 0;
            };
        }

        bosId = specialId(md, "bos_token_id", config.bos(), n);
        eosId = specialId(md, "eos_token_id", config.eos(), n);
        unkId = specialId(md, "unknown_token_id", config.unk(), n);
        int eot = specialId(md, "eot_token_id", -1, n);
        int eom = specialId(md, "eom_token_id", -1, n);
        int fimPre = specialId(md, "fim_pre_token_id", specialId(md, "prefix_token_id", -1, n), n);
        int fimSuf = specialId(md, "fim_suf_token_id", specialId(md, "suffix_token_id", -1, n), n);
        int fimMid = specialId(md, "fim_mid_token_id", specialId(md, "middle_token_id", -1, n), n);
        int fimPad = specialId(md, "fim_pad_token_id", -1, n);
        int fimRep = specialId(md, "fim_rep_token_id", -1, n);
        int fimSep = specialId(md, "fim_sep_token_id", -1, n);
        addBos = md.getBoolean(KEY + "add_bos_token", config.addBos());
        addEos = md.getBoolean(KEY + "add_eos_token", false);
        addSpacePrefix = md.getBoolean(KEY + "add_space_prefix", config.addSpacePrefix());
        cleanSpaces = config.cleanSpaces();

        // auto-detect special tokens by their text, as llama.cpp does (and promote them to control tokens)
        for (int id = 0; id < n; id++) {
            String t = tokens[id];
            if (eot < 0 && isOneOf(t, "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                    "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>")) {
                eot = promote(id);
            }
            if (eom < 0 && t.equals("<|eom_id|>")) eom = promote(id);
            if (fimPre < 0 && isOneOf(t, "<|fim_prefix|>", "<fim-prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>")) {
                fimPre = promote(id);
            }
            if (fimSuf < 0 && isOneOf(t, "<|fim_suffix|>", "<fim-suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>")) {
                fimSuf = promote(id);
            }
            if (fimMid < 0 && isOneOf(t, "<|fim_middle|>", "<fim-middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>")) {
                fimMid = promote(id);
            }
            if (fimPad < 0 && isOneOf(t, "<|fim_pad|>", "<fim-pad>", "<PAD>")) fimPad = promote(id);
            if (fimRep < 0 && isOneOf(t, "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>")) fimRep = promote(id);
            if (fimSep < 0 && isOneOf(t, "<|file_sep|>")) fimSep = promote(id);
        }
        eotId = eot;
        eomId = eom;
        eog = new BitSet(n);
        for (int id : new int[] {fimPad, fimRep, fimSep}) if (id >= 0) eog.set(id);
        for (int id = 0; id < n; id++) {
            if (isOneOf(tokens[id], "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
                    "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>")) {
                eog.set(promote(id));
            }
        }
        // o200k_harmony (gpt-oss), as llama.cpp does since gpt-oss: its message markers are user-defined, so they
        // are always rendered (the reasoning parser reads them) and always recognised in input
        for (int id = 0; id < n; id++) {
            if (isOneOf(tokens[id], HARMONY_MARKERS)) attrs[id] = ATTR_USER_DEFINED;
        }
        for (int id : new int[] {eosId, eotId, eomId}) if (id >= 0 && id < n) eog.set(id);
        // ... and <|end|> ends a message, not the generation, when <|return|> and <|call|> are there
        harmonyEnd();

        List<Integer> special = new ArrayList<>();
        for (int id = 0; id < n; id++) {
            if ((attrs[id] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0) special.add(id);
        }
        int[] utf8Len = new int[n];
        for (int id : special) utf8Len[id] = tokens[id].getBytes(StandardCharsets.UTF_8).length;
        special.sort(Comparator.comparingInt((Integer id) -> -utf8Len[id]));
        specialTokens = special.stream().mapToInt(Integer::intValue).toArray();
        List<String> controls = new ArrayList<>();
        for (int id : specialTokens) {
            if ((attrs[id] & ATTR_SPECIAL) != 0 || declaredControl.get(id)) controls.add(tokens[id]);
        }
        controlTexts = List.copyOf(controls);

        pieces = new byte[n][];
        for (int id = 0; id < n; id++) pieces[id] = computePiece(id);

        // per-model token attributes llama.cpp sets by name
        String modelName = md.getString("general.name").orElse("").toLowerCase(Locale.ROOT);
        String pre = md.getString(KEY + "pre").orElse("");
        if (pre.contains("jina-v2-de") || pre.contains("jina-v2-es") || pre.contains("jina-v2-code")) {
            setAttr("<mask>", ATTR_LSTRIP, true);
        } else if (modelName.contains("phi-3") || modelName.contains("phi3")) {
            for (int id : specialTokens) attrs[id] |= ATTR_RSTRIP;
            setAttr("</s>", ATTR_RSTRIP, true);
            for (String t : new String[] {"<unk>", "<s>", "<|endoftext|>"}) setAttr(t, ATTR_RSTRIP, false);
        }
    }

    /** llama.cpp's o200k_harmony workaround: with {@code <|return|>} and {@code <|call|>}, {@code <|end|>} is no EOG. */
    private void harmonyEnd() {
        int end = -1;
        boolean hasReturn = false, hasCall = false;
        for (int id = eog.nextSetBit(0); id >= 0; id = eog.nextSetBit(id + 1)) {
            switch (tokens[id]) {
                case "<|return|>" -> hasReturn = true;
                case "<|call|>" -> hasCall = true;
                case "<|end|>" -> end = id;
                default -> { }
            }
        }
        if (hasReturn && hasCall && end >= 0) {
            eog.clear(end);
            attrs[end] = ATTR_USER_DEFINED;
        }
    }

    static VocabTokenizer load(GgufMetadata md) {
        String model = md.requireString(KEY + "model");
        String[] toks = md.requireStringArray(KEY + "tokens");
        return switch (model) {
            case "llama" -> new SpmTokenizer(md, toks);
            case "gpt2" -> new BpeTokenizer(md, toks);
            default -> throw new IllegalArgumentException("unsupported tokenizer model " + model
                    + " (" + KEY + "model; supported: llama, gpt2)");
        };
    }

    /** The id under {@code tokenizer.ggml.<key>}; an absent or out-of-range value gives {@code fallback} (or -1). */
    private static int specialId(GgufMetadata md, String key, int fallback, int n) {
        long v = md.getLong(KEY + key).orElse((long) fallback);
        if (v >= 0 && v < n) return (int) v;
        return fallback < n ? fallback : -1;
    }

    private static boolean isOneOf(String t, String... names) {
        for (String s : names) if (s.equals(t)) return true;
        return false;
    }

    private int promote(int id) {
        if ((attrs[id] & ATTR_CONTROL) == 0) attrs[id] = ATTR_CONTROL;
        return id;
    }

    private void setAttr(String token, int attr, boolean value) {
        Integer id = tokenToId.get(token);
        if (id != null) attrs[id] = value ? attrs[id] | attr : attrs[id] & ~attr;
    }

    /** llama.cpp's token_to_piece with special = true and no lstrip. */
    abstract byte[] computePiece(int id);

    /** Tokenizes a run of raw text (no special tokens in it) and appends the ids. */
    abstract void appendText(String text, boolean afterSpecial, IntBuffer out);

    // ---- Tokenizer ----

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return encode(text, addSpecial, parseSpecial, List.of());
    }

    @Override
    public int[] encode(String text, boolean addSpecial, List<Span> literals) {
        return encode(text, addSpecial, true, literals);
    }

    @Override
    public List<String> controlTexts() {
        return controlTexts;
    }

    private int[] encode(String text, boolean addSpecial, boolean parseSpecial, List<Span> literals) {
        IntBuffer out = new IntBuffer(Math.max(8, text.length() / 3));
        if (addSpecial && addBos && bosId >= 0) out.add(bosId);
        boolean prevSpecial = true;
        for (Fragment f : partition(text, parseSpecial, literals)) {
            if (f.token() >= 0) {
                out.add(f.token());
                prevSpecial = true;
            } else {
                appendText(text.substring(f.start(), f.end()), prevSpecial, out);
                prevSpecial = false;
            }
        }
        if (addSpecial && addEos && eosId >= 0) out.add(eosId);
        return out.toArray();
    }

    /** A piece of the input: a special token ({@code token >= 0}) or raw text {@code [start, end)}. */
    record Fragment(int token, int start, int end) {}

    /** llama.cpp's tokenizer_st_partition: splits out special tokens, longest first. */
    List<Fragment> partition(String text, boolean parseSpecial) {
        return partition(text, parseSpecial, List.of());
    }

    /** As {@link #partition(String, boolean)}, leaving the text of any special token overlapping a literal span as text. */
    private List<Fragment> partition(String text, boolean parseSpecial, List<Span> literals) {
        List<Fragment> frags = new ArrayList<>();
        if (text.isEmpty()) return frags;
        frags.add(new Fragment(-1, 0, text.length()));
        for (int id : specialTokens) {
            int attr = attrs[id];
            if (!parseSpecial && (attr & ATTR_SPECIAL) != 0) continue;
            String tok = tokens[id];
            if (!text.contains(tok)) continue;
            List<Fragment> next = new ArrayList<>(frags.size() + 4);
            for (Fragment f : frags) {
                if (f.token() >= 0) {
                    next.add(f);
                    continue;
                }
                int start = f.start(), end = f.end();
                while (true) {
                    int match = text.indexOf(tok, start);
                    while (match >= 0 && overlaps(literals, match, match + tok.length())) match = text.indexOf(tok, match + 1);
                    if (match < 0 || match + tok.length() > end) {
                        if (end > start) next.add(new Fragment(-1, start, end));
                        break;
                    }
                    int leftEnd = match;
                    if ((attr & ATTR_LSTRIP) != 0) {
                        while (leftEnd > start && isCSpace(text.charAt(leftEnd - 1))) leftEnd--;
                    }
                    if (leftEnd > start) next.add(new Fragment(-1, start, leftEnd));
                    next.add(new Fragment(id, match, match + tok.length()));
                    start = match + tok.length();
                    if ((attr & ATTR_RSTRIP) != 0) {
                        while (start < end && isCSpace(text.charAt(start))) start++;
                    }
                }
            }
            frags = next;
        }
        return frags;
    }

    private static boolean overlaps(List<Span> spans, int start, int end) {
        for (Span s : spans) if (s.start() < end && start < s.end()) return true;
        return false;
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    @Override
    public String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        int from = 0, to = ids.length;
        boolean removeSpace = addSpacePrefix;
        if (removeSpecial && addBos && to > from && ids[from] == bosId) {
            removeSpace = false;
            from++;
        }
        if (removeSpecial && addEos && to > from && ids[to - 1] == eosId) to--;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            byte[] p = tokenBytes(ids[i], unparseSpecial);
            int skip = removeSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
            removeSpace = false;
            out.write(p, skip, p.length - skip);
        }
        byte[] text = out.toByteArray();
        if (cleanSpaces) text = cleanSpaces(text);
        return new String(text, StandardCharsets.UTF_8);
    }

    /** llama.cpp's clean_spaces passes over the detokenized bytes. */
    private static byte[] cleanSpaces(byte[] t) {
        // pass 1: " ?", " !", " .", " ,"
        byte[] a = new byte[t.length];
        int n = 0;
        if (t.length > 0) a[n++] = t[0];
        for (int i = 1; i < t.length; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) n--;
            a[n++] = x;
        }
        // pass 2: strip single apostrophe between spaces " ' "
        byte[] src = Arrays.copyOf(a, n);
        byte[] b = new byte[n];
        int m = 0;
        if (n > 0) b[m++] = src[0];
        for (int i = 1; i < n; i++) {
            byte x = src[i];
            if (x == '\'' && i + 1 < n && src[i - 1] == ' ' && src[i + 1] == ' ') {
                m--;
                src[++i] = 0;
            }
            b[m++] = x;
        }
        // pass 3: apostrophe contractions " 's", " 'm", " 're", " 've"
        byte[] c = new byte[m];
        int k = 0;
        if (m > 0) c[k++] = b[0];
        for (int i = 1; i < m; i++) {
            byte x = b[i];
            if (b[i - 1] == ' ' && x == '\'' && i + 1 < m) {
                byte x1 = b[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    k--;
                } else if (i + 2 < m && x1 != 't' && x1 != 'd') {
                    byte x2 = b[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) k--;
                }
            }
            c[k++] = x;
        }
        return Arrays.copyOf(c, k);
    }

    @Override
    public byte[] tokenBytes(int id, boolean renderSpecial) {
        checkId(id);
        if (!renderSpecial && (attrs[id] & ATTR_SPECIAL) != 0) return new byte[0];
        return pieces[id].clone();
    }

    /** The piece without copying, for internal callers that do not modify it. */
    byte[] pieceBytes(int id, boolean renderSpecial) {
        checkId(id);
        if (!renderSpecial && (attrs[id] & ATTR_SPECIAL) != 0) return new byte[0];
        return pieces[id];
    }

    private void checkId(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " out of range [0, " + tokens.length + ")");
        }
    }

    @Override
    public String piece(int id) {
        checkId(id);
        return tokens[id];
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public int bos() {
        return bosId;
    }

    @Override
    public int eos() {
        return eosId;
    }

    @Override
    public boolean addsBos() {
        return addBos;
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && eog.get(id);
    }

    @Override
    public boolean isControl(int id) {
        return id >= 0 && id < attrs.length && (attrs[id] & ATTR_CONTROL) != 0;
    }

    @Override
    public OptionalInt tokenId(String piece) {
        Integer id = tokenToId.get(piece);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** A growable int array. */
    static final class IntBuffer {
        private int[] a;
        private int n;

        IntBuffer(int capacity) {
            a = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
