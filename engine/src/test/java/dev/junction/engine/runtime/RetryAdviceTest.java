package dev.junction.engine.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAdviceTest {
    private final RetryAdvice advice = new RetryAdvice(60);

    @Test
    void withNoHistoryTheAdviceIsOneSecond() {
        assertThat(advice.seconds(10, 1_000)).isEqualTo(1);
        advice.admitted(1_000);
        assertThat(advice.seconds(10, 1_000)).isEqualTo(1);
    }

    @Test
    void theWaitingRequestsTakeTheRecentAdmissionRate() {
        for (int i = 0; i <= 20; i++) advice.admitted(100_000 + i * 500L); // two a second
        long now = 100_000 + 20 * 500L;
        assertThat(advice.seconds(10, now)).isEqualTo(5);
        assertThat(advice.seconds(1, now)).isEqualTo(1);
        assertThat(advice.seconds(3, now)).isEqualTo(2); // 1.5 s, rounded up
    }

    @Test
    void aSilenceLongerThanTheRateSaysCountsAsTheInterval() {
        for (int i = 0; i <= 20; i++) advice.admitted(100_000 + i * 500L);
        long last = 100_000 + 20 * 500L;
        assertThat(advice.seconds(10, last + 3_000)).isEqualTo(30); // nothing for 3 s: 3 s per admission
    }

    @Test
    void admissionsOlderThanTheQueueTimeoutAreForgotten() {
        advice.admitted(0); // a quiet spell, then a burst of ten a second
        for (int i = 0; i < 10; i++) advice.admitted(1_000_000 + i * 100L);
        assertThat(advice.seconds(20, 1_000_900)).isEqualTo(2);
    }

    @Test
    void theAdviceIsAtMostTheQueueTimeout() {
        for (int i = 0; i <= 4; i++) advice.admitted(i * 10_000L); // one every 10 s
        assertThat(advice.seconds(100, 40_000)).isEqualTo(60);
    }
}
