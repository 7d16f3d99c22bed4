package dev.junction.bench.vocab;

import dev.junction.engine.gguf.GgufWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the vocabulary-only GGUF of OpenAI's o200k_harmony tokenizer (gpt-oss) from tiktoken's rank file, laid out
 * as llama.cpp's converter writes it: {@code tokenizer.ggml.model} {@code gpt2}, {@code .pre} {@code gpt-4o}, the
 * byte-level token strings, their types (1 normal, 3 control) and the merges.
 *
 * <p>tiktoken stores ranks, not merges. The merge of a token of rank r is found the standard way: run tiktoken's
 * byte-pair merge on the token's own bytes with only the ranks below r; it ends in exactly two parts, and the merge
 * is those two parts. The merges are listed in rank order, so a merge's position orders it as its token's rank does.
 *
 * <p>Usage: {@code O200kVocab <o200k_base.tiktoken> <special.txt> <out.gguf>}, where {@code special.txt} has one
 * {@code id text} line per special token. See {@code bench/o200k/README.md}.
 */
public final class O200kVocab {
    private O200kVocab() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: O200kVocab <o200k_base.tiktoken> <special.txt> <out.gguf>");
            System.exit(2);
        }
        // bytes kept as ISO-8859-1 strings: one char per byte
        List<String> byRank = new ArrayList<>();
        Map<String, Integer> ranks = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.US_ASCII)) {
            if (line.isBlank()) continue;
            String[] f = line.split(" ");
            int rank = Integer.parseInt(f[1]);
            if (rank != byRank.size()) throw new IllegalArgumentException("ranks not dense at " + rank);
            String bytes = new String(Base64.getDecoder().decode(f[0]), StandardCharsets.ISO_8859_1);
            byRank.add(bytes);
            ranks.put(bytes, rank);
        }
        Map<Integer, String> special = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            int sp = line.indexOf(' ');
            special.put(Integer.parseInt(line.substring(0, sp)), line.substring(sp + 1));
        }
        int n = byRank.size();
        for (int id : special.keySet()) n = Math.max(n, id + 1);

        String[] tokens = new String[n];
        int[] types = new int[n];
        for (int id = 0; id < n; id++) {
            if (id < byRank.size()) {
                tokens[id] = byteLevel(byRank.get(id));
                types[id] = 1;
            } else if (special.containsKey(id)) {
                tokens[id] = special.get(id);
                types[id] = 3;
            } else {
                throw new IllegalArgumentException("no token for id " + id);
            }
        }
        List<String> merges = new ArrayList<>();
        for (int rank = 0; rank < byRank.size(); rank++) {
            String t = byRank.get(rank);
            if (t.length() < 2) continue;
            String[] parts = bytePairMerge(t, ranks, rank);
            if (parts.length != 2) {
                throw new IllegalStateException("token " + rank + " does not end in two parts: " + parts.length);
            }
            merges.add(byteLevel(parts[0]) + " " + byteLevel(parts[1]));
        }
        new GgufWriter()
                .putString("general.architecture", "gpt-oss")
                .putString("general.name", "o200k_harmony vocabulary")
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", "gpt-4o")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putInt32Array("tokenizer.ggml.token_type", types)
                .putStringArray("tokenizer.ggml.merges", merges.toArray(String[]::new))
                .putUint32("tokenizer.ggml.bos_token_id", 199998)
                .putUint32("tokenizer.ggml.eos_token_id", 200002)
                .putUint32("tokenizer.ggml.padding_token_id", 199999)
                .putBool("tokenizer.ggml.add_bos_token", false)
                .write(Path.of(args[2]));
        System.out.println(n + " tokens, " + merges.size() + " merges");
    }

    /** tiktoken's byte-pair merge of {@code piece} using only ranks below {@code maxRank}: the parts it ends with. */
    static String[] bytePairMerge(String piece, Map<String, Integer> ranks, int maxRank) {
        List<String> parts = new ArrayList<>(piece.length());
        for (int i = 0; i < piece.length(); i++) parts.add(piece.substring(i, i + 1));
        while (parts.size() > 1) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer r = ranks.get(parts.get(i) + parts.get(i + 1));
                if (r != null && r < maxRank && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            if (best < 0) break;
            parts.set(best, parts.get(best) + parts.remove(best + 1));
        }
        return parts.toArray(String[]::new);
    }

    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) next++;
        }
    }

    /** GPT-2's byte-to-unicode stand-ins for the bytes (one char per byte in {@code bytes}). */
    static String byteLevel(String bytes) {
        char[] out = new char[bytes.length()];
        for (int i = 0; i < out.length; i++) out[i] = BYTE_TO_CHAR[bytes.charAt(i) & 0xFF];
        return new String(out);
    }
}
