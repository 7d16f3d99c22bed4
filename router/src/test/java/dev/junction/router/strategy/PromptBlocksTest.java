package dev.junction.router.strategy;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class PromptBlocksTest {
    static final String A = "a".repeat(64);
    static final String B = "b".repeat(64);
    static final String C = "c".repeat(64);

    @Test
    void oneHashPerCompleteBlock() {
        assertThat(PromptBlocks.hash("m", "", 64, 256)).isEmpty();
        assertThat(PromptBlocks.hash("m", "x".repeat(63), 64, 256)).isEmpty();
        assertThat(PromptBlocks.hash("m", A + B + "tail", 64, 256)).hasSize(2);
    }

    @Test
    void promptsAgreeingSoFarHaveTheSameHashesSoFar() {
        long[] abc = PromptBlocks.hash("m", A + B + C, 64, 256);
        long[] abb = PromptBlocks.hash("m", A + B + B, 64, 256);
        assertThat(Arrays.copyOf(abb, 2)).containsExactly(abc[0], abc[1]);
        assertThat(abb[2]).isNotEqualTo(abc[2]);
    }

    @Test
    void eachHashCoversEveryBlockBeforeIt() {
        long[] abc = PromptBlocks.hash("m", A + B + C, 64, 256);
        long[] cbc = PromptBlocks.hash("m", C + B + C, 64, 256);
        for (int i = 0; i < 3; i++) assertThat(cbc[i]).isNotEqualTo(abc[i]);
        long[] aa = PromptBlocks.hash("m", A + A, 64, 256);
        assertThat(aa[1]).isNotEqualTo(aa[0]); // the same text at another position is another block
    }

    @Test
    void theChainStartsFromTheModel() {
        long[] one = PromptBlocks.hash("llama", A + B, 64, 256);
        long[] other = PromptBlocks.hash("mistral", A + B, 64, 256);
        assertThat(other[0]).isNotEqualTo(one[0]);
        assertThat(other[1]).isNotEqualTo(one[1]);
    }

    @Test
    void blocksPastTheMaximumAreNotHashed() {
        long[] all = PromptBlocks.hash("m", A + B + C, 64, 256);
        assertThat(PromptBlocks.hash("m", A + B + C, 64, 2)).containsExactly(all[0], all[1]);
    }
}
