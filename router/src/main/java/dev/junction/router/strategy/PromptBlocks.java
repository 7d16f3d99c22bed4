package dev.junction.router.strategy;

/**
 * A prompt as a chain of block hashes, as the Gateway API Inference Extension's approximate prefix-cache scorer cuts
 * it: the text in blocks of a fixed number of characters, block {@code i}'s hash covering its characters and block
 * {@code i − 1}'s hash, and the chain starting from the model name's hash. So two prompts have equal hashes at block
 * {@code i} exactly when (but for collisions) they agree from the start through block {@code i}. The incomplete last
 * block is left out, and blocks past the maximum.
 *
 * <p>The hash is 64-bit FNV-1a over the UTF-16 characters, finished with MurmurHash3's mixer: fast and well spread,
 * not cryptographic. A collision only sends a request where it finds no cached prefix.
 */
final class PromptBlocks {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private PromptBlocks() {
    }

    static long[] hash(String model, String prompt, int blockChars, int maxBlocks) {
        int blocks = Math.min(prompt.length() / blockChars, maxBlocks);
        long[] hashes = new long[blocks];
        long previous = hash(FNV_OFFSET, model, 0, model.length());
        for (int b = 0; b < blocks; b++) {
            previous = hash(previous, prompt, b * blockChars, (b + 1) * blockChars);
            hashes[b] = previous;
        }
        return hashes;
    }

    private static long hash(long seed, String text, int from, int to) {
        long h = seed;
        for (int i = from; i < to; i++) {
            h ^= text.charAt(i);
            h *= FNV_PRIME;
        }
        return mix(h);
    }

    /** MurmurHash3's 64-bit finalizer. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
