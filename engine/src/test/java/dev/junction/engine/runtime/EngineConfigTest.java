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
        // 16 running with windows of 1024 in blocks of 16: 2 × (16 × (64 + 2) + 256 / 16) = 2144 blocks, against
        // 16 × 8192 / 16 = 8192 for full contexts
        assertThat(EngineConfig.defaults().withContextLength(8192).windowBlocks(gemma(32768, 1024))).isEqualTo(2144);
        // a window as long as the context saves nothing: the layers share the others' blocks
        assertThat(EngineConfig.defaults().withContextLength(1024).windowBlocks(gemma(32768, 1024))).isZero();
        assertThat(EngineConfig.defaults().windowBlocks(model(4096))).isZero();
        assertThat(EngineConfig.defaults().windowBlocks(gemma(4096, 0))).isZero();
    }

    @Test
    void raisingMaxRunningRaisesTheBudgetWithIt() {
        assertThat(EngineConfig.defaults().withMaxRunning(1000).tokenBudget()).isEqualTo(1000);
    }
}
