package dev.junction.engine.tokenizer;

import dev.junction.engine.gguf.GgufMetadata;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * llama.cpp's byte-level BPE tokenizer ({@code tokenizer.ggml.model = gpt2}): the text is split by the
 * pre-tokenizer, each word's UTF-8 bytes are mapped to GPT-2's byte characters, and adjacent symbols are merged by
 * merge rank (lowest first, ties leftmost first).
 */
final class BpeTokenizer extends VocabTokenizer {
    private static final Set<String> LLAMA3_FAMILY = Set.of("llama3", "llama-v3", "llama-bpe", "falcon3");
    private static final Set<String> NO_CLEAN_SPACES = Set.of("deepseek-llm", "deepseek-coder", "qwen2",
            "deepseek-r1-qwen", "command-r", "smollm", "gpt-4o", "llama4");

    private final PreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    /** "left right" → merge rank (first occurrence wins, as llama.cpp's emplace). */
    private final Map<String, Integer> mergeRanks;

    BpeTokenizer(GgufMetadata md, String[] tokens) {
        super(md, tokens, config(md));
        String pre = md.getString("tokenizer.ggml.pre").orElse("default");
        this.preTokenizer = PreTokenizer.forName(pre);
        this.ignoreMerges = LLAMA3_FAMILY.contains(pre);
        String[] merges = md.requireStringArray("tokenizer.ggml.merges");
        mergeRanks = HashMap.newHashMap(merges.length);
        for (int i = 0; i < merges.length; i++) {
            String m = merges[i];
            if (m.indexOf(' ', 1) < 0) continue;
            mergeRanks.putIfAbsent(m, i);
        }
    }

    private static Config config(GgufMetadata md) {
        String pre = md.getString("tokenizer.ggml.pre").orElse("default");
        PreTokenizer.forName(pre); // fail early on an unknown pre-tokenizer
        return new Config(11, 11, -1, LLAMA3_FAMILY.contains(pre), false, !NO_CLEAN_SPACES.contains(pre));
    }

    @Override
    byte[] computePiece(int id) {
        int attr = attrs[id];
        if ((attr & (ATTR_UNKNOWN | ATTR_CONTROL | ATTR_USER_DEFINED)) != 0) {
            return tokens[id].getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & ATTR_NORMAL) != 0) return ByteLevel.decode(tokens[id]);
        return new byte[0];
    }

    private record Bigram(int left, int right, int rank, int size) {}

    @Override
    void appendText(String raw, boolean afterSpecial, IntBuffer out) {
        for (String word : preTokenizer.split(raw)) {
            String w = ByteLevel.encode(word);
            if (ignoreMerges) {
                Integer id = tokenToId.get(w);
                if (id != null) {
                    out.add(id);
                    continue;
                }
            }
            mergeWord(w, out);
        }
    }

    private void mergeWord(String w, IntBuffer out) {
        // every char of a byte-encoded word is one byte, and a BMP char
        int n = w.length();
        int[] len = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0; i < n; i++) {
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(Math.max(1, n), (a, b) -> {
            int c = Integer.compare(a.rank(), b.rank());
            return c != 0 ? c : Integer.compare(a.left(), b.left());
        });
        for (int i = 1; i < n; i++) addBigram(w, len, i - 1, i, queue);
        while (!queue.isEmpty()) {
            Bigram bg = queue.poll();
            int l = bg.left(), r = bg.right();
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != bg.size()) continue;
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            addBigram(w, len, prev[l], l, queue);
            addBigram(w, len, l, next[l], queue);
        }
        for (int i = 0; i != -1 && n > 0; i = next[i]) {
            String sym = w.substring(i, i + len[i]);
            Integer id = tokenToId.get(sym);
            if (id != null) {
                out.add(id);
            } else {
                for (int j = 0; j < sym.length(); j++) {
                    char c = sym.charAt(j);
                    if (c < 0x80) {
                        Integer b = tokenToId.get(String.valueOf(c));
                        if (b != null) out.add(b);
                    }
                }
            }
        }
    }

    private void addBigram(String w, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        String key = w.substring(left, left + len[left]) + " " + w.substring(right, right + len[right]);
        Integer rank = mergeRanks.get(key);
        if (rank == null) return;
        queue.add(new Bigram(left, right, rank, len[left] + len[right]));
    }
}
