package dev.junction.engine.runtime;

import dev.junction.engine.model.KvCache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hands out the blocks of a paged KV cache to sequences and keeps computed blocks for reuse by later sequences whose
 * prompts start the same way (prefix caching). Pure bookkeeping: it knows block ids and tokens, never the keys and
 * values themselves, so the scheduler can be tested without a model.
 *
 * <p>A full block is identified by the hash of its parent block's hash and its own tokens, so equal hashes mean equal
 * whole prefixes. When a sequence is admitted, the leading full blocks of its prompt that are cached are mapped
 * (reference count + 1) and not computed again; at least the last prompt token is always left to compute, since its
 * logits are needed. Only full blocks are ever shared, and a shared block is never written: sequences write only
 * past the blocks they mapped, and a sequence's last, partial block is its own. How released blocks are kept and
 * reused is the {@link BlockPool}'s business.
 *
 * <p>A model with sliding-window layers may give them a second pool (the window group): a sequence maps every
 * position block in both, but drops a window block as soon as no position still to be computed attends to it, so it
 * holds about {@code window / blockSize} of them however long it grows. Dropped blocks stay cached, so a later prompt
 * with the same prefix can still reuse it: a cached prefix counts only as far as the window group also still holds
 * the blocks its next position attends to (otherwise a shorter prefix is taken, or none). Not thread-safe: the engine
 * thread owns it.
 */
public final class BlockManager {
    private static final long ROOT = 0x6A09E667F3BCC908L;

    private final BlockPool full;
    private final BlockPool window; // null without a window group
    private final int blockSize;
    private final int windowPositions; // 0 without a window group
    private long[] chain = new long[16]; // admission scratch: prefix hashes of the prompt's leading blocks
    private int[] found = new int[16]; // and the full-group blocks that hold them
    private int[] foundWindow = new int[16]; // and the window-group blocks, where the window needs them
    private long prefixQueryTokens;
    private long prefixHitTokens;

    /** A manager of {@code blocks} blocks of {@code blockSize} positions, shared by every layer. */
    public BlockManager(int blocks, int blockSize) {
        this(blocks, 0, blockSize, 0);
    }

    /**
     * With a window group of {@code windowBlocks} blocks (0: none) for layers that attend to the last {@code window}
     * positions only.
     */
    public BlockManager(int blocks, int windowBlocks, int blockSize, int window) {
        if (windowBlocks < 0 || windowBlocks > 0 && window < 1) {
            throw new IllegalArgumentException("a window group needs blocks and a window, got " + windowBlocks
                    + " blocks for a window of " + window);
        }
        this.full = new BlockPool(blocks, blockSize);
        this.window = windowBlocks > 0 ? new BlockPool(windowBlocks, blockSize) : null;
        this.blockSize = blockSize;
        this.windowPositions = windowBlocks > 0 ? window : 0;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Blocks of the full-attention layers (of every layer without a window group). */
    public int totalBlocks() {
        return full.totalBlocks();
    }

    /** Of those, blocks an allocation can take now: never used, released, or cached with no sequence using them. */
    public int freeBlocks() {
        return full.freeBlocks();
    }

    /** Of those, blocks held by sequences or kept for prefix reuse. */
    public int usedBlocks() {
        return full.usedBlocks();
    }

    /** Of those, blocks mapped by at least one sequence (the rest are free, cached or not). */
    public int referencedBlocks() {
        return full.referencedBlocks();
    }

    /** Positions a sliding-window layer attends to (its own and those before it); 0 without a window group. */
    public int window() {
        return windowPositions;
    }

    /** The sliding-window layers' own blocks, or null when they share the others'. */
    public BlockPool windowGroup() {
        return window;
    }

    /** Mappings of blocks by sequences in both groups: equals the sum of the live tables' {@code references()}. */
    public long references() {
        return full.references() + (window != null ? window.references() : 0);
    }

    /**
     * What is wrong with the bookkeeping itself, or an empty list: negative reference counts, a free list that does
     * not hold exactly the unreferenced blocks, cached blocks the hash index does not find. For checks after a
     * failure and in tests; O(blocks).
     */
    public List<String> inconsistencies() {
        List<String> problems = new ArrayList<>(full.inconsistencies(""));
        if (window != null) problems.addAll(window.inconsistencies("window group: "));
        return problems;
    }

    /**
     * Forgets every mapping and every cached prefix: all blocks free and empty. Only when no sequence holds a block
     * any more (after a failure that may have left the bookkeeping wrong).
     */
    public void reset() {
        full.reset();
        if (window != null) window.reset();
    }

    /** Sequences mapping this block of the full-attention group. */
    public int refCount(int block) {
        return full.refCount(block);
    }

    /** Whether this block of the full-attention group is registered for prefix reuse. */
    public boolean isCached(int block) {
        return full.isCached(block);
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
     * Window blocks a sequence of up to {@code positions} positions holds at most at once when a step computes up to
     * {@code rowsPerStep} of its positions; 0 without a window group.
     */
    public int windowBlocksFor(int positions, int rowsPerStep) {
        if (window == null) return 0;
        return Math.min(blocksFor(positions), KvCache.windowBlocksPerStep(windowPositions, rowsPerStep, blockSize));
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
        if (table.size() != 0 || table.windowSize() != 0) throw new IllegalStateException("admitting a sequence that holds blocks");
        if (length < 1 || maxNewTokens < 1) throw new IllegalArgumentException("nothing to compute");
        int cacheable = usePrefixCache ? (length - 1) / blockSize : 0;
        if (chain.length < cacheable) {
            chain = Arrays.copyOf(chain, Math.max(cacheable, 2 * chain.length));
            found = Arrays.copyOf(found, chain.length);
            foundWindow = Arrays.copyOf(foundWindow, chain.length);
        }
        int cached = 0;
        for (long parent = ROOT; cached < cacheable; cached++) {
            long h = hash(parent, tokens, cached * blockSize);
            int b = full.lookup(h, parent, tokens, cached * blockSize);
            if (b < 0) break;
            chain[cached] = h;
            found[cached] = b;
            parent = h;
        }
        while (cached > 0 && !windowHolds(cached, tokens)) cached--;
        for (int i = 0; i < cached; i++) {
            full.take(found[i]);
            table.add(found[i]);
            table.addHash(chain[i]);
        }
        if (window != null) {
            int first = firstWindowBlock(cached * blockSize);
            for (int i = 0; i < cached; i++) {
                if (i >= first) window.take(foundWindow[i]);
                table.addWindow(i < first ? BlockTable.NO_BLOCK : foundWindow[i]);
            }
        }
        int hit = cached * blockSize;
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
     * Whether the window group still holds the cached blocks that the position after the first {@code blocks} reads;
     * when it does, they are in {@code foundWindow}.
     */
    private boolean windowHolds(int blocks, int[] tokens) {
        if (window == null) return true;
        for (int i = firstWindowBlock(blocks * blockSize); i < blocks; i++) {
            foundWindow[i] = window.lookup(chain[i], parent(i), tokens, i * blockSize);
            if (foundWindow[i] < 0) return false;
        }
        return true;
    }

    private long parent(int i) {
        return i == 0 ? ROOT : chain[i - 1];
    }

    /** The first position block a sliding-window layer reads for the query at {@code position}. */
    private int firstWindowBlock(int position) {
        return Math.max(0, position - windowPositions + 1) / blockSize;
    }

    /**
     * Grows the table to hold {@code positions} positions, in both groups; all or nothing.
     *
     * @return false when there are not enough free blocks (nothing changed then)
     */
    public boolean allocate(BlockTable table, int positions) {
        int needed = blocksFor(positions) - table.size();
        if (needed <= 0) return true;
        if (needed > full.freeBlocks() || window != null && needed > window.freeBlocks()) return false;
        for (int i = 0; i < needed; i++) {
            table.add(full.takeFree());
            if (window != null) table.addWindow(window.takeFree());
        }
        return true;
    }

    /**
     * Records that the first {@code computed} positions of the sequence are in the cache: registers the blocks that
     * became full, so that later sequences can reuse them (a block whose prefix is already cached elsewhere stays
     * private), and drops the window blocks no position from {@code computed} on attends to.
     */
    public void cacheFullBlocks(BlockTable table, int[] tokens, int computed) {
        int fullBlocks = Math.min(computed / blockSize, table.size());
        for (int i = table.hashed(); i < fullBlocks; i++) {
            long parent = i == 0 ? ROOT : table.hash(i - 1);
            long h = hash(parent, tokens, i * blockSize);
            table.addHash(h);
            full.register(table.block(i), h, parent, tokens, i * blockSize);
            if (window != null && table.windowBlock(i) != BlockTable.NO_BLOCK) {
                window.register(table.windowBlock(i), h, parent, tokens, i * blockSize);
            }
        }
        if (window == null) return;
        int first = Math.min(firstWindowBlock(computed), Math.min(fullBlocks, table.windowSize()));
        while (table.droppedWindowBlocks() < first) window.release(table.dropWindow());
    }

    /** Releases every block of the table (last first, so a sequence's tail is reused before its prefix). */
    public void free(BlockTable table) {
        for (int i = table.size() - 1; i >= 0; i--) full.release(table.block(i));
        for (int i = table.windowSize() - 1; i >= table.droppedWindowBlocks(); i--) window.release(table.windowBlock(i));
        table.clear();
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
