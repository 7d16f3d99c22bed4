package dev.junction.engine.tokenizer;

import dev.junction.engine.gguf.GgufMetadata;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * llama.cpp's SentencePiece-style tokenizer ({@code tokenizer.ggml.model = llama}): spaces become {@code ▁}, a space
 * is prefixed to text at the start or after a special token, adjacent symbols are merged greedily by the score of the
 * token they form (ties: leftmost first), and symbols that are no token fall back to byte tokens {@code <0xNN>}.
 */
final class SpmTokenizer extends VocabTokenizer {
    private static final char SPACE_MARK = '\u2581';

    /** Token for each byte value in byte fallback; -1 when there is none. */
    private final int[] byteTokens = new int[256];

    SpmTokenizer(GgufMetadata md, String[] tokens) {
        super(md, tokens, new Config(1, 2, 0, true, true, false));
        for (int b = 0; b < 256; b++) {
            Integer id = tokenToId.get(String.format("<0x%02X>", b));
            if (id == null && b < 0x80) id = tokenToId.get(String.valueOf((char) b));
            byteTokens[b] = id != null ? id : unkId;
        }
    }

    @Override
    byte[] computePiece(int id) {
        int attr = attrs[id];
        String text = tokens[id];
        if ((attr & (ATTR_UNKNOWN | ATTR_CONTROL | ATTR_USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & ATTR_NORMAL) != 0) {
            return text.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & ATTR_BYTE) != 0) {
            if (text.length() >= 6 && text.startsWith("<0x")) {
                try {
                    return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
                } catch (NumberFormatException e) {
                    // fall through: not a byte token after all
                }
            }
            return text.getBytes(StandardCharsets.UTF_8);
        }
        return new byte[0];
    }

    private record Bigram(int left, int right, float score, int size) {}

    @Override
    void appendText(String raw, boolean afterSpecial, IntBuffer out) {
        String text = (addSpacePrefix && afterSpecial ? " " + raw : raw).replace(' ', SPACE_MARK);
        int n = text.codePointCount(0, text.length());
        if (n == 0) return;
        int[] start = new int[n], len = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0, off = 0; i < n; i++) {
            int cl = Character.charCount(text.codePointAt(off));
            start[i] = off;
            len[i] = cl;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            off += cl;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(Math.max(1, n), (a, b) -> {
            int c = Float.compare(b.score(), a.score());
            return c != 0 ? c : Integer.compare(a.left(), b.left());
        });
        for (int i = 1; i < n; i++) tryAddBigram(text, start, len, i - 1, i, queue);
        while (!queue.isEmpty()) {
            Bigram bg = queue.poll();
            int l = bg.left(), r = bg.right();
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != bg.size()) continue;
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            tryAddBigram(text, start, len, prev[l], l, queue);
            tryAddBigram(text, start, len, l, next[l], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String sym = text.substring(start[i], start[i] + len[i]);
            Integer id = tokenToId.get(sym);
            if (id != null) {
                out.add(id);
            } else {
                for (byte b : sym.getBytes(StandardCharsets.UTF_8)) {
                    int t = byteTokens[b & 0xFF];
                    if (t >= 0) out.add(t);
                }
            }
        }
    }

    private void tryAddBigram(String text, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        int size = len[left] + len[right];
        Integer id = tokenToId.get(text.substring(start[left], start[left] + size));
        if (id == null) return;
        queue.add(new Bigram(left, right, scores[id], size));
    }
}
