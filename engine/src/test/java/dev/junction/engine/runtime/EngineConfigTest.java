package dev.junction.engine.runtime;

import dev.junction.engine.model.Architecture;
import dev.junction.engine.model.ModelConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineConfigTest {
    static ModelConfig model(int context) {
        return new ModelConfig(Architecture.LLAMA, 64, 2, 4, 4, 16, 128, 100, context, 1e-5f, 10000f, 16, 1f, null);
    }

    @Test
    void theContextDefaultsToTheModelsUpToACap() {
        assertThat(EngineConfig.defaults().resolve(model(512), 1, Long.MAX_VALUE).contextLength()).isEqualTo(512);
        assertThat(EngineConfig.defaults().resolve(model(131072), 1, Long.MAX_VALUE).contextLength())
                .isEqualTo(EngineConfig.DEFAULT_CONTEXT);
    }

    @Test
    void thePoolHoldsAFullContextForEveryRunningSequenceWhenMemoryAllows() {
        EngineConfig c = EngineConfig.defaults().resolve(model(512), 1000, Long.MAX_VALUE);
        assertThat(c.kvBlocks()).isEqualTo(16 * 512 / 16);
    }

    @Test
    void thePoolShrinksToTheMemoryBudgetButHoldsAtLeastOneContext() {
        assertThat(EngineConfig.defaults().resolve(model(512), 1000, 100_000).kvBlocks()).isEqualTo(100);
        assertThat(EngineConfig.defaults().resolve(model(512), 1000, 1000).kvBlocks()).isEqualTo(32);
    }

    @Test
    void impossibleSettingsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> EngineConfig.defaults().withContextLength(1024).resolve(model(512), 1, Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
        assertThatThrownBy(() -> EngineConfig.defaults().withKvBlocks(10).resolve(model(512), 1, Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 blocks");
        assertThatThrownBy(() -> EngineConfig.defaults().withTokenBudget(8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRunning");
    }

    /** Gemma 3's shape: 6 layers, 5 of them sliding-window ones. */
    static ModelConfig gemma(int context, int window) {
        return new ModelConfig(Architecture.GEMMA3, 64, 6, 4, 1, 16, 128, 100, context, 1e-6f, 1e6f, 16, 1f, null,
                null, window, 1e4f, null);
    }

    @Test
    void slidingWindowLayersGetBlocksForEveryRunningWindowTwiceOverWhenThatSavesMemory() {
        EngineConfig c = EngineConfig.defaults().withContextLength(8192);
        // 16 running with windows of 1024 in blocks of 16: 2 × (16 × (64 + 2) + 256 / 16) = 2144 blocks, against
        // 16 × 8192 / 16 = 8192 for full contexts
        assertThat(c.windowBlocks(gemma(32768, 1024), 1, 5, Long.MAX_VALUE)).isEqualTo(2144);
        // a window as long as the context saves nothing: the layers share the others' blocks
        assertThat(c.withContextLength(1024).windowBlocks(gemma(32768, 1024), 1, 5, Long.MAX_VALUE)).isZero();
        assertThat(c.windowBlocks(model(4096), 1, 5, Long.MAX_VALUE)).isZero();
        assertThat(c.windowBlocks(gemma(4096, 0), 1, 5, Long.MAX_VALUE)).isZero();
    }

    @Test
    void withinATightBudgetBothGroupsShrinkAlikeButOneSequenceAlwaysFits() {
        EngineConfig c = EngineConfig.defaults().withContextLength(8192);
        // wanted: 2144 window blocks of 5 bytes and 8192 full ones of 1 byte = 18912 bytes; a budget of half
        assertThat(c.windowBlocks(gemma(32768, 1024), 1, 5, 9456)).isEqualTo(1072);
        // one step of 256 rows after a window of 1024 spans ceil((1023 + 255) / 16) + 1 = 81 blocks
        assertThat(c.windowBlocks(gemma(32768, 1024), 1, 5, 10)).isEqualTo(81);
    }

    @Test
    void raisingMaxRunningRaisesTheBudgetWithIt() {
        assertThat(EngineConfig.defaults().withMaxRunning(1000).tokenBudget()).isEqualTo(1000);
    }
}
