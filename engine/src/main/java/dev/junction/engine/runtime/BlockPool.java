package dev.junction.engine.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The blocks of one group of layers (all of them, or the sliding-window ones) as the {@link BlockManager} hands them
 * out: a reference count per block, the index of full blocks kept for prefix reuse by their chained hash, and the
 * free list. Blocks whose reference count drops to zero keep their contents and stay findable until an allocation
 * takes them; the least recently released are taken first, blocks that hold nothing reusable before any of them.
 * A hash match is confirmed against the block's stored tokens and parent hash. Not thread-safe.
 */
public final class BlockPool {
    private final int blocks;
    private final int blockSize;
    private final int[] refCounts;
    private final boolean[] cached;
    private final long[] hashes;
    private final long[] parentHashes;
    private final int[] tokens;
    private final Map<Long, Integer> byHash = new HashMap<>();
    // blocks with reference count 0, as a doubly-linked list over ids; index `blocks` is the sentinel.
    // Allocation takes from the front: released blocks with nothing reusable go there, cached ones to the back.
    private final int[] prev;
    private final int[] next;
    private int free;
    private int freeCached;

    BlockPool(int blocks, int blockSize) {
        if (blocks < 1) throw new IllegalArgumentException("the KV pool needs at least one block, got " + blocks);
        if (blockSize < 1) throw new IllegalArgumentException("block size must be at least 1, got " + blockSize);
        this.blocks = blocks;
        this.blockSize = blockSize;
        this.refCounts = new int[blocks];
        this.cached = new boolean[blocks];
        this.hashes = new long[blocks];
        this.parentHashes = new long[blocks];
        this.tokens = new int[Math.multiplyExact(blocks, blockSize)];
        this.prev = new int[blocks + 1];
        this.next = new int[blocks + 1];
        reset();
    }

    public int totalBlocks() {
        return blocks;
    }

    /** Blocks an allocation can take now: never used, released, or cached with no sequence using them. */
    public int freeBlocks() {
        return free;
    }

    /** Blocks held by sequences or kept for prefix reuse. */
    public int usedBlocks() {
        return blocks - (free - freeCached);
    }

    /** Blocks mapped by at least one sequence (the rest are free, cached or not). */
    public int referencedBlocks() {
        return blocks - free;
    }

    /** Mappings of blocks by sequences, over all blocks. */
    public long references() {
        long sum = 0;
        for (int r : refCounts) sum += r;
        return sum;
    }

    /** Sequences mapping this block. */
    public int refCount(int block) {
        return refCounts[block];
    }

    /** Whether this block's contents are registered for prefix reuse. */
    public boolean isCached(int block) {
        return cached[block];
    }

    /** What is wrong with the bookkeeping, each line starting with {@code group}; empty when nothing is. O(blocks). */
    List<String> inconsistencies(String group) {
        List<String> problems = new ArrayList<>();
        int onList = 0, cachedOnList = 0;
        for (int b = next[blocks]; b != blocks && onList <= blocks; b = next[b]) {
            onList++;
            if (cached[b]) cachedOnList++;
            if (refCounts[b] != 0) problems.add(group + "block " + b + " is on the free list with " + refCounts[b] + " references");
        }
        if (onList != free) problems.add(group + onList + " blocks on the free list, " + free + " counted free");
        if (cachedOnList != freeCached) problems.add(group + cachedOnList + " cached blocks free, " + freeCached + " counted");
        int unreferenced = 0, indexed = 0;
        for (int b = 0; b < blocks; b++) {
            if (refCounts[b] < 0) problems.add(group + "block " + b + " has " + refCounts[b] + " references");
            if (refCounts[b] == 0) unreferenced++;
            if (cached[b] && byHash.get(hashes[b]) == b) indexed++;
        }
        if (unreferenced != free) problems.add(group + unreferenced + " blocks unreferenced, " + free + " counted free");
        if (indexed != byHash.size()) problems.add(group + byHash.size() + " hashes indexed, " + indexed + " cached blocks");
        return problems;
    }

    /** Every block free and empty, nothing cached. */
    void reset() {
        Arrays.fill(refCounts, 0);
        Arrays.fill(cached, false);
        byHash.clear();
        prev[blocks] = next[blocks] = blocks;
        for (int b = 0; b < blocks; b++) pushBack(b);
        free = blocks;
        freeCached = 0;
    }

    /** The cached block holding {@code tokens[from, from + blockSize)} after the prefix {@code parent}, or -1. */
    int lookup(long hash, long parent, int[] tokens, int from) {
        Integer b = byHash.get(hash);
        if (b == null || !cached[b] || parentHashes[b] != parent) return -1;
        for (int i = 0; i < blockSize; i++) {
            if (this.tokens[b * blockSize + i] != tokens[from + i]) return -1;
        }
        return b;
    }

    /** Registers a full block for prefix reuse, unless it or another block with its prefix already is. */
    void register(int b, long hash, long parent, int[] tokens, int from) {
        if (cached[b] || byHash.containsKey(hash)) return;
        cached[b] = true;
        hashes[b] = hash;
        parentHashes[b] = parent;
        System.arraycopy(tokens, from, this.tokens, b * blockSize, blockSize);
        byHash.put(hash, b);
    }

    /** Maps a cached block for one more sequence. */
    void take(int b) {
        if (refCounts[b]++ == 0) {
            unlink(b);
            free--;
            freeCached--;
        }
    }

    /** Takes the front of the free list, forgetting what it held. The caller checked {@link #freeBlocks()}. */
    int takeFree() {
        int b = next[blocks];
        if (b == blocks) throw new IllegalStateException("no free block");
        unlink(b);
        free--;
        if (cached[b]) {
            freeCached--;
            cached[b] = false;
            byHash.remove(hashes[b], b);
        }
        refCounts[b] = 1;
        return b;
    }

    void release(int b) {
        if (refCounts[b] <= 0) throw new IllegalStateException("block " + b + " released more often than taken");
        if (--refCounts[b] > 0) return;
        free++;
        if (cached[b]) {
            freeCached++;
            pushBack(b);
        } else {
            pushFront(b);
        }
    }

    private void pushBack(int b) {
        int last = prev[blocks];
        next[last] = b;
        prev[b] = last;
        next[b] = blocks;
        prev[blocks] = b;
    }

    private void pushFront(int b) {
        int first = next[blocks];
        prev[first] = b;
        next[b] = first;
        prev[b] = blocks;
        next[blocks] = b;
    }

    private void unlink(int b) {
        next[prev[b]] = next[b];
        prev[next[b]] = prev[b];
    }
}
