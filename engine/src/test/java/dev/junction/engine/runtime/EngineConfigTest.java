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

    @Test
    void raisingMaxRunningRaisesTheBudgetWithIt() {
        assertThat(EngineConfig.defaults().withMaxRunning(1000).tokenBudget()).isEqualTo(1000);
    }
}
