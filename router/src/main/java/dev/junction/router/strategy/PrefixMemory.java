package dev.junction.router.strategy;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Which deployments (by {@link Candidate#index()}) were sent each prompt block, for at most {@code capacity} block
 * hashes: placing a block again makes it the most recent, and the least recently placed is forgotten first. Looking
 * up does not count as use: only real placements keep a block.
 *
 * <p>Thread-safe: look-ups share a read lock, placements take the write lock.
 */
final class PrefixMemory {
    private final int capacity;
    private final Map<Long, BitSet> holders; // by last placement; a BitSet changes only under the write lock
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    PrefixMemory(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
        this.capacity = capacity;
        this.holders = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, BitSet> eldest) {
                return size() > PrefixMemory.this.capacity;
            }
        };
    }

    /** For each candidate, by position, how many of {@code blocks} from the first it holds without a gap. */
    int[] matchedBlocks(long[] blocks, List<Candidate> candidates) {
        int[] matched = new int[candidates.size()];
        lock.readLock().lock();
        try {
            boolean anyStillMatching = true;
            for (int b = 0; b < blocks.length && anyStillMatching; b++) {
                BitSet held = holders.get(blocks[b]);
                if (held == null) break;
                anyStillMatching = false;
                for (int i = 0; i < matched.length; i++) {
                    if (matched[i] == b && held.get(candidates.get(i).index())) {
                        matched[i]++;
                        anyStillMatching = true;
                    }
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return matched;
    }

    /** Remembers that deployment {@code index} was sent every one of {@code blocks}. */
    void remember(long[] blocks, int index) {
        lock.writeLock().lock();
        try {
            for (long block : blocks) {
                BitSet held = holders.remove(block);
                if (held == null) held = new BitSet();
                held.set(index);
                holders.put(block, held);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Block hashes remembered now; never more than the capacity. */
    int size() {
        lock.readLock().lock();
        try {
            return holders.size();
        } finally {
            lock.readLock().unlock();
        }
    }
}
