package dev.junction.router.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static dev.junction.router.config.Configs.errors;
import static dev.junction.router.config.Configs.withSupplier;
import static org.assertj.core.api.Assertions.assertThat;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "2s, PT2S", "300s, PT5M", "5m, PT5M", "1h, PT1H", "' 90s ', PT1M30S"})
    void aWholeNumberAndAUnit(String text, Duration expected) {
        assertThat(Durations.parse(text)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "0s", "1.5s", "2 s", "2S", "2sec", "-1s", "1d", "", "s"})
    void anythingElseIsRefused(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void aBadDurationInTheFileNamesItsKey() {
        assertThat(errors(withSupplier("s: {kind: openai, url: 'http://h', timeouts: {idle: 30}}"))).containsExactly(
                "junction.yaml:2:55: suppliers.s.timeouts.idle: expected a duration above zero like 500ms, 2s, 5m "
                        + "or 1h, got '30'");
    }
}
