package dev.junction.engine.runtime;

import java.util.Arrays;

/**
 * The KV-cache blocks of one sequence, in position order: block {@code i} holds positions
 * {@code [i * blockSize, (i + 1) * blockSize)}. Also remembers the prefix hash of each leading full block, so that the
 * {@link BlockManager} can chain the hash of the next one without rereading the tokens. Owned by one
 * {@link Sequence}; changed only by the {@link BlockManager}.
 */
public final class BlockTable {
    private int[] ids = new int[4];
    private long[] hashes = new long[4];
    private int size;
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

    /** Leading blocks whose prefix hash is known (full, and registered in or found in the prefix cache). */
    int hashed() {
        return hashed;
    }

    long hash(int i) {
        return hashes[i];
    }

    void add(int block) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
        }
        ids[size++] = block;
    }

    /** Records the prefix hash of the next full block (block {@link #hashed()}). */
    void addHash(long hash) {
        hashes[hashed++] = hash;
    }

    /** Drops the last blocks, keeping {@code newSize}. */
    void truncate(int newSize) {
        size = newSize;
        hashed = Math.min(hashed, newSize);
    }
}
