package dev.junction.engine.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands out the blocks of a paged KV cache to sequences and keeps computed blocks for reuse by later sequences whose
 * prompts start the same way (prefix caching). Pure bookkeeping: it knows block ids and tokens, never the keys and
 * values themselves, so the scheduler can be tested without a model.
 *
 * <p>A full block is identified by the hash of its parent block's hash and its own tokens, so equal hashes mean equal
 * whole prefixes. When a sequence is admitted, the leading full blocks of its prompt that are cached are mapped
 * (reference count + 1) and not computed again; at least the last prompt token is always left to compute, since its
 * logits are needed. Only full blocks are ever shared, and a shared block is never written: sequences write only
 * past the blocks they mapped, and a sequence's last, partial block is its own. Blocks whose reference count drops to
 * zero keep their contents and stay findable until a new allocation needs them; the least recently released are
 * reused first, blocks that hold nothing reusable before any of them.
 *
 * <p>A hash match is confirmed against the block's stored tokens and parent hash; a wrong match would need two
 * different prefixes with the same 64-bit chained hash. Not thread-safe: the engine thread owns it.
 */
public final class BlockManager {
    private static final long ROOT = 0x6A09E667F3BCC908L;

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
    private long prefixQueryTokens;
    private long prefixHitTokens;

    public BlockManager(int blocks, int blockSize) {
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
        prev[blocks] = next[blocks] = blocks;
        for (int b = 0; b < blocks; b++) pushBack(b);
        free = blocks;
    }

    public int blockSize() {
        return blockSize;
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

    /** Mappings of blocks by sequences, over all blocks: equals the sum of the live sequences' table sizes. */
    public long references() {
        long sum = 0;
        for (int r : refCounts) sum += r;
        return sum;
    }

    /**
     * What is wrong with the bookkeeping itself, or an empty list: negative reference counts, a free list that does
     * not hold exactly the unreferenced blocks, cached blocks the hash index does not find. For checks after a
     * failure and in tests; O(blocks).
     */
    public List<String> inconsistencies() {
        List<String> problems = new ArrayList<>();
        int onList = 0, cachedOnList = 0;
        for (int b = next[blocks]; b != blocks && onList <= blocks; b = next[b]) {
            onList++;
            if (cached[b]) cachedOnList++;
            if (refCounts[b] != 0) problems.add("block " + b + " is on the free list with " + refCounts[b] + " references");
        }
        if (onList != free) problems.add(onList + " blocks on the free list, " + free + " counted free");
        if (cachedOnList != freeCached) problems.add(cachedOnList + " cached blocks free, " + freeCached + " counted");
        int unreferenced = 0, indexed = 0;
        for (int b = 0; b < blocks; b++) {
            if (refCounts[b] < 0) problems.add("block " + b + " has " + refCounts[b] + " references");
            if (refCounts[b] == 0) unreferenced++;
            if (cached[b] && byHash.get(hashes[b]) == b) indexed++;
        }
        if (unreferenced != free) problems.add(unreferenced + " blocks unreferenced, " + free + " counted free");
        if (indexed != byHash.size()) problems.add(byHash.size() + " hashes indexed, " + indexed + " cached blocks");
        return problems;
    }

    /**
     * Forgets every mapping and every cached prefix: all blocks free and empty. Only when no sequence holds a block
     * any more (after a failure that may have left the bookkeeping wrong).
     */
    public void reset() {
        Arrays.fill(refCounts, 0);
        Arrays.fill(cached, false);
        byHash.clear();
        prev[blocks] = next[blocks] = blocks;
        for (int b = 0; b < blocks; b++) pushBack(b);
        free = blocks;
        freeCached = 0;
    }

    /** Sequences mapping this block. */
    public int refCount(int block) {
        return refCounts[block];
    }

    /** Whether this block's contents are registered for prefix reuse. */
    public boolean isCached(int block) {
        return cached[block];
    }

    /** Prompt tokens looked up in the prefix cache at admissions. */
    public long prefixQueryTokens() {
        return prefixQueryTokens;
    }

    /** Of those, tokens found cached (their computation was skipped). */
    public long prefixHitTokens() {
        return prefixHitTokens;
    }

    /** Blocks needed to hold {@code positions} positions. */
    public int blocksFor(int positions) {
        return Math.ceilDiv(positions, blockSize);
    }

    /**
     * Admits a sequence whose table is empty: maps the cached full blocks its {@code tokens[0, length)} start with
     * (never the block holding the last token), then allocates blocks for up to {@code maxNewTokens} of the tokens
     * after them. All or nothing.
     *
     * @return the tokens found cached (a multiple of the block size), or -1 when there were not enough free blocks
     *         (nothing changed then)
     */
    public int admit(BlockTable table, int[] tokens, int length, int maxNewTokens) {
        return admit(table, tokens, length, maxNewTokens, true);
    }

    /**
     * As {@link #admit(BlockTable, int[], int, int)}; without {@code usePrefixCache} nothing is mapped (a sequence
     * that needs every position computed) and the lookup is not counted in the prefix statistics.
     */
    public int admit(BlockTable table, int[] tokens, int length, int maxNewTokens, boolean usePrefixCache) {
        if (table.size() != 0) throw new IllegalStateException("admitting a sequence that holds blocks");
        if (length < 1 || maxNewTokens < 1) throw new IllegalArgumentException("nothing to compute");
        int cacheable = usePrefixCache ? (length - 1) / blockSize : 0;
        long parent = ROOT;
        for (int i = 0; i < cacheable; i++) {
            long h = hash(parent, tokens, i * blockSize);
            Integer found = byHash.get(h);
            if (found == null || !holds(found, parent, tokens, i * blockSize)) break;
            take(found);
            table.add(found);
            table.addHash(h);
            parent = h;
        }
        int hit = table.size() * blockSize;
        if (!allocate(table, hit + Math.min(length - hit, maxNewTokens))) {
            free(table);
            return -1;
        }
        if (usePrefixCache) {
            prefixQueryTokens += length;
            prefixHitTokens += hit;
        }
        return hit;
    }

    /**
     * Grows the table to hold {@code positions} positions; all or nothing.
     *
     * @return false when there are not enough free blocks (nothing changed then)
     */
    public boolean allocate(BlockTable table, int positions) {
        int needed = blocksFor(positions) - table.size();
        if (needed > free) return false;
        for (int i = 0; i < needed; i++) table.add(takeFree());
        return true;
    }

    /**
     * Registers the blocks that became full now that {@code computed} positions of the sequence are in the cache, so
     * that later sequences can reuse them. A block whose prefix is already cached elsewhere stays private.
     */
    public void cacheFullBlocks(BlockTable table, int[] tokens, int computed) {
        int full = Math.min(computed / blockSize, table.size());
        for (int i = table.hashed(); i < full; i++) {
            long parent = i == 0 ? ROOT : table.hash(i - 1);
            long h = hash(parent, tokens, i * blockSize);
            table.addHash(h);
            int b = table.block(i);
            if (!cached[b] && !byHash.containsKey(h)) {
                cached[b] = true;
                hashes[b] = h;
                parentHashes[b] = parent;
                System.arraycopy(tokens, i * blockSize, this.tokens, b * blockSize, blockSize);
                byHash.put(h, b);
            }
        }
    }

    /** Releases every block of the table (last first, so a sequence's tail is reused before its prefix). */
    public void free(BlockTable table) {
        for (int i = table.size() - 1; i >= 0; i--) release(table.block(i));
        table.truncate(0);
    }

    private boolean holds(int b, long parent, int[] tokens, int from) {
        if (!cached[b] || parentHashes[b] != parent) return false;
        for (int i = 0; i < blockSize; i++) {
            if (this.tokens[b * blockSize + i] != tokens[from + i]) return false;
        }
        return true;
    }

    /** Maps a cached block for one more sequence. */
    private void take(int b) {
        if (refCounts[b]++ == 0) {
            unlink(b);
            free--;
            freeCached--;
        }
    }

    /** Takes the front of the free list, forgetting what it held. */
    private int takeFree() {
        int b = next[blocks];
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

    private void release(int b) {
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

    private long hash(long parent, int[] tokens, int from) {
        long h = parent;
        for (int i = 0; i < blockSize; i++) h = mix(h ^ (tokens[from + i] * 0x9E3779B97F4A7C15L));
        return h;
    }

    /** A 64-bit finalizer in the shape of MurmurHash3's fmix64 (its first constant, a different second one). */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB93FE53A87BBL;
        h ^= h >>> 33;
        return h;
    }
}
