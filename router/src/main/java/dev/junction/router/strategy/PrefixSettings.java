package dev.junction.router.strategy;

/**
 * The parameters of {@link PrefixStrategy}.
 *
 * @param blockChars   characters of prompt per hashed block; a prompt's incomplete last block is not hashed
 * @param maxBlocks    blocks hashed at most from the start of a prompt: two prompts that agree that far look alike
 * @param memoryBlocks block hashes remembered at most, the least recently placed forgotten first
 * @param prefixWeight {@code w} in {@code score = w·prefix − (1 − w)·load}, in [0, 1]
 */
public record PrefixSettings(int blockChars, int maxBlocks, int memoryBlocks, double prefixWeight) {
    /**
     * 64 characters a block (about 16 tokens, a vLLM KV block), at most 256 blocks, 50,000 blocks remembered, and a
     * prefix weight of 1/3: a prompt whose every block the deployment holds outweighs that deployment being busier
     * than another by up to half its capacity; busier than that, and the request goes elsewhere.
     */
    public static PrefixSettings defaults() {
        return new PrefixSettings(64, 256, 50_000, 1.0 / 3);
    }

    public PrefixSettings {
        if (blockChars < 1) throw new IllegalArgumentException("blockChars must be at least 1");
        if (maxBlocks < 1) throw new IllegalArgumentException("maxBlocks must be at least 1");
        if (memoryBlocks < 1) throw new IllegalArgumentException("memoryBlocks must be at least 1");
        if (!(prefixWeight >= 0 && prefixWeight <= 1)) throw new IllegalArgumentException("prefixWeight is in [0, 1]");
    }
}
