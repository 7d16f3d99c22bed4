package dev.junction.router.strategy;

import dev.junction.router.config.Price;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static dev.junction.router.strategy.StrategyTesting.request;
import static dev.junction.router.strategy.TestCandidate.candidate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CandidateTest {
    @Test
    void anUnlimitedDeploymentAlwaysHasRoom() {
        assertThat(candidate(0).inFlight(10_000).build().hasRoomFor(request(1_000_000, 1_000_000))).isTrue();
    }

    @Test
    void roomNeedsAFreeSlot() {
        assertThat(candidate(0).maxConcurrent(4).inFlight(3).build().hasRoomFor(request())).isTrue();
        assertThat(candidate(0).maxConcurrent(4).inFlight(4).build().hasRoomFor(request())).isFalse();
    }

    @Test
    void roomNeedsARequestLeftInTheMinute() {
        assertThat(candidate(0).requestsLeft(1).build().hasRoomFor(request())).isTrue();
        assertThat(candidate(0).requestsLeft(0).build().hasRoomFor(request())).isFalse();
    }

    @Test
    void roomNeedsThePromptAndMaxTokensLeftInTheMinute() {
        Candidate c = candidate(0).tokensLeft(1_000).build();
        assertThat(c.hasRoomFor(request(600, 400))).isTrue();
        assertThat(c.hasRoomFor(request(600, 401))).isFalse();
    }

    @Test
    void withoutMaxTokensTheDefaultCompletionIsReserved() {
        RouteRequest noMax = new RouteRequest("m", 100, OptionalInt.empty(), "");
        assertThat(noMax.tokensToReserve()).isEqualTo(100 + RouteRequest.DEFAULT_COMPLETION_TOKENS);
        assertThat(candidate(0).tokensLeft(100 + RouteRequest.DEFAULT_COMPLETION_TOKENS).build().hasRoomFor(noMax))
                .isTrue();
        assertThat(candidate(0).tokensLeft(99 + RouteRequest.DEFAULT_COMPLETION_TOKENS).build().hasRoomFor(noMax))
                .isFalse();
    }

    @Test
    void aTimeToFirstTokenIsKnownExactlyWhenThereAreSamples() {
        assertThatThrownBy(() -> candidate(0).latency(Duration.ofMillis(5), 0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Candidate(0, "s", 1, 1, Candidate.Health.HEALTHY, 0, OptionalInt.empty(),
                OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), 3, Price.FREE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countsAndLimitsAreChecked() {
        assertThatThrownBy(() -> candidate(-1).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> candidate(0).tier(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> candidate(0).weight(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> candidate(0).inFlight(-1).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> candidate(0).maxConcurrent(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> candidate(0).tokensLeft(-1).build()).isInstanceOf(IllegalArgumentException.class);
    }
}
