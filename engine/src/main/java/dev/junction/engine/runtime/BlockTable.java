package dev.junction.engine.runtime;

import dev.junction.engine.model.KvCache;

import java.util.Arrays;

/**
 * The KV-cache blocks of one sequence, in position order: block {@code i} holds positions
 * {@code [i * blockSize, (i + 1) * blockSize)}. For a model whose sliding-window layers have blocks of their own,
 * also those: {@link #windowBlock(int) windowBlock(i)} holds the same positions in those layers, or nothing
 * ({@link #NO_BLOCK}) once they fell out of the window of every position still to be computed. Also remembers the
 * prefix hash of each leading full block, so that the {@link BlockManager} can chain the hash of the next one without
 * rereading the tokens. Owned by one {@link Sequence}; changed only by the {@link BlockManager}.
 */
public final class BlockTable {
    /** A window block released because no position still to be computed attends to it (the model's own marker). */
    public static final int NO_BLOCK = KvCache.NO_BLOCK;

    private int[] ids = new int[4];
    private int[] windowIds = new int[4];
    private long[] hashes = new long[4];
    private int size, windowSize, dropped;
    private int hashed;

    /** Blocks mapped. */
    public int size() {
        return size;
    }

    /** The pool id of the {@code i}-th block. */
    public int block(int i) {
        if (i >= size) throw new IndexOutOfBoundsException("block " + i + " of " + size);
        return ids[i];
    }

    /** Position blocks mapped in the window group (0 for a model without one); their leading ones may be dropped. */
    public int windowSize() {
        return windowSize;
    }

    /** The window group's id of the {@code i}-th position block, or {@link #NO_BLOCK} once it was dropped. */
    public int windowBlock(int i) {
        if (i >= windowSize) throw new IndexOutOfBoundsException("window block " + i + " of " + windowSize);
        return windowIds[i];
    }

    /** Leading window blocks dropped (or never mapped, being out of the window at admission). */
    public int droppedWindowBlocks() {
        return dropped;
    }

    /** Blocks this table references in either group: what the block manager counts for it. */
    long references() {
        return size + windowSize - dropped;
    }

    /** Leading blocks whose prefix hash is known (full, and registered in or found in the prefix cache). */
    int hashed() {
        return hashed;
    }

    long hash(int i) {
        return hashes[i];
    }

    void add(int block) {
        if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
        ids[size++] = block;
    }

    /** Maps the next window block; {@link #NO_BLOCK} only while nothing is mapped yet (out of the window). */
    void addWindow(int block) {
        if (block == NO_BLOCK && dropped != windowSize) throw new IllegalStateException("a gap in the window blocks");
        if (windowSize == windowIds.length) windowIds = Arrays.copyOf(windowIds, windowSize * 2);
        windowIds[windowSize++] = block;
        if (block == NO_BLOCK) dropped++;
    }

    /** Forgets the first window block not yet dropped; returns its id. */
    int dropWindow() {
        if (dropped == windowSize) throw new IllegalStateException("no window block left to drop");
        int block = windowIds[dropped];
        windowIds[dropped++] = NO_BLOCK;
        return block;
    }

    /** Records the prefix hash of the next full block (block {@link #hashed()}). */
    void addHash(long hash) {
        if (hashed == hashes.length) hashes = Arrays.copyOf(hashes, hashed * 2);
        hashes[hashed++] = hash;
    }

    /** Forgets every block of both groups (the block manager released them). */
    void clear() {
        size = windowSize = dropped = hashed = 0;
    }
}
