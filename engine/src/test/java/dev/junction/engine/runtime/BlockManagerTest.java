package dev.junction.engine.runtime;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Block allocation, reference counts and the prefix cache, without a scheduler. */
class BlockManagerTest {
    static int[] tokens(int seed, int n) {
        return IntStream.range(0, n).map(i -> seed * 1000 + i).toArray();
    }

    /** A table that computed {@code tokens} entirely and registered its full blocks. */
    static BlockTable computed(BlockManager m, int[] tokens) {
        BlockTable t = new BlockTable();
        assertThat(m.admit(t, tokens, tokens.length, tokens.length)).isZero();
        m.cacheFullBlocks(t, tokens, tokens.length);
        return t;
    }

    @Test
    void allocationIsAllOrNothing() {
        BlockManager m = new BlockManager(4, 16);
        BlockTable t = new BlockTable();
        assertThat(m.allocate(t, 65)).isFalse(); // 5 blocks
        assertThat(t.size()).isZero();
        assertThat(m.freeBlocks()).isEqualTo(4);
        assertThat(m.allocate(t, 64)).isTrue();
        assertThat(t.size()).isEqualTo(4);
        assertThat(m.allocate(t, 64)).isTrue(); // already covered
        assertThat(m.freeBlocks()).isZero();
    }

    @Test
    void aCachedPrefixIsMappedWithItsReferenceCountRaised() {
        BlockManager m = new BlockManager(8, 4);
        int[] p = tokens(1, 10);
        BlockTable a = computed(m, p); // blocks 0-1 full, block 2 partial
        BlockTable b = new BlockTable();
        assertThat(m.admit(b, p, 10, 100)).isEqualTo(8);
        assertThat(b.block(0)).isEqualTo(a.block(0));
        assertThat(b.block(1)).isEqualTo(a.block(1));
        assertThat(b.block(2)).isNotEqualTo(a.block(2));
        assertThat(m.refCount(a.block(0))).isEqualTo(2);
        assertThat(m.refCount(a.block(2))).isEqualTo(1);
        assertThat(m.prefixQueryTokens()).isEqualTo(20);
        assertThat(m.prefixHitTokens()).isEqualTo(8);
    }

    @Test
    void aDifferentEarlierBlockBreaksTheChainEvenWhenLaterTokensMatch() {
        BlockManager m = new BlockManager(8, 4);
        int[] p = tokens(1, 12);
        computed(m, p);
        int[] q = p.clone();
        q[0] = 99_999; // the second block's tokens are the same, but not its prefix
        assertThat(m.admit(new BlockTable(), q, 12, 100)).isZero();
    }

    @Test
    void releasedCachedBlocksStayFindableUntilTheSpaceIsNeeded() {
        BlockManager m = new BlockManager(4, 4);
        int[] p = tokens(1, 8);
        BlockTable a = computed(m, p); // 2 full blocks
        m.free(a);
        assertThat(m.freeBlocks()).isEqualTo(4);
        assertThat(m.usedBlocks()).isEqualTo(2);
        // allocations take the never-used blocks first
        BlockTable other = new BlockTable();
        assertThat(m.allocate(other, 8)).isTrue();
        m.free(other);
        assertThat(m.admit(new BlockTable(), p, 9, 1)).isEqualTo(8);
    }

    @Test
    void theLeastRecentlyReleasedCachedBlocksAreEvictedFirst() {
        BlockManager m = new BlockManager(4, 4);
        int[] older = tokens(1, 4), newer = tokens(2, 4);
        BlockTable a = computed(m, older);
        BlockTable b = computed(m, newer);
        m.free(a);
        m.free(b);
        BlockTable filler = new BlockTable();
        assertThat(m.allocate(filler, 12)).isTrue(); // the 2 unused blocks and then the older cached one
        m.free(filler);
        assertThat(m.admit(new BlockTable(), olderPlusOne(older), 5, 1)).isZero();
        assertThat(m.admit(new BlockTable(), olderPlusOne(newer), 5, 1)).isEqualTo(4);
    }

    private static int[] olderPlusOne(int[] t) {
        int[] r = java.util.Arrays.copyOf(t, t.length + 1);
        r[t.length] = 7;
        return r;
    }

    @Test
    void anAdmissionThatCannotGetItsBlocksChangesNothing() {
        BlockManager m = new BlockManager(3, 4);
        int[] p = tokens(1, 8);
        BlockTable a = computed(m, p);
        m.free(a);
        BlockTable hog = new BlockTable();
        assertThat(m.allocate(hog, 4)).isTrue(); // takes the unused block
        BlockTable t = new BlockTable();
        int[] longer = java.util.Arrays.copyOf(p, 20);
        assertThat(m.admit(t, longer, 20, 100)).isEqualTo(-1); // 8 cached, 12 more need 3 blocks; 0 free beyond
        assertThat(t.size()).isZero();
        assertThat(m.freeBlocks()).isEqualTo(2);
        assertThat(m.prefixQueryTokens()).isEqualTo(8);
        assertThat(m.admit(t, p, 8, 100)).isEqualTo(4); // still cached
    }

    @Test
    void aBlockWhosePrefixIsCachedElsewhereStaysPrivate() {
        BlockManager m = new BlockManager(8, 4);
        int[] p = tokens(1, 4);
        BlockTable a = new BlockTable(), b = new BlockTable();
        m.admit(a, p, 4, 4);
        m.admit(b, p, 4, 4);
        m.cacheFullBlocks(a, p, 4);
        m.cacheFullBlocks(b, p, 4);
        assertThat(m.isCached(a.block(0))).isTrue();
        assertThat(m.isCached(b.block(0))).isFalse();
        m.free(b);
        m.free(a);
        assertThat(m.usedBlocks()).isEqualTo(1);
    }
}
