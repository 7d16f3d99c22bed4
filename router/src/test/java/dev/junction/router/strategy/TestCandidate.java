package dev.junction.router.strategy;

import dev.junction.router.config.Price;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Builds {@link Candidate}s for tests: an idle, healthy, unlimited, unmeasured, free deployment unless told. */
final class TestCandidate {
    private final int index;
    private String supplier;
    private int tier = 1;
    private int weight = 1;
    private Candidate.Health health = Candidate.Health.HEALTHY;
    private int inFlight;
    private OptionalInt maxConcurrent = OptionalInt.empty();
    private OptionalLong requestsLeft = OptionalLong.empty();
    private OptionalLong tokensLeft = OptionalLong.empty();
    private Optional<Duration> timeToFirstToken = Optional.empty();
    private long latencySamples;
    private Price price = Price.FREE;

    private TestCandidate(int index) {
        this.index = index;
        this.supplier = "supplier-" + index;
    }

    static TestCandidate candidate(int index) {
        return new TestCandidate(index);
    }

    TestCandidate supplier(String name) {
        supplier = name;
        return this;
    }

    TestCandidate tier(int t) {
        tier = t;
        return this;
    }

    TestCandidate weight(int w) {
        weight = w;
        return this;
    }

    TestCandidate onTrial() {
        health = Candidate.Health.ON_TRIAL;
        return this;
    }

    TestCandidate inFlight(int n) {
        inFlight = n;
        return this;
    }

    TestCandidate maxConcurrent(int max) {
        maxConcurrent = OptionalInt.of(max);
        return this;
    }

    TestCandidate requestsLeft(long n) {
        requestsLeft = OptionalLong.of(n);
        return this;
    }

    TestCandidate tokensLeft(long n) {
        tokensLeft = OptionalLong.of(n);
        return this;
    }

    TestCandidate latency(Duration average, long samples) {
        timeToFirstToken = Optional.of(average);
        latencySamples = samples;
        return this;
    }

    TestCandidate latencyMillis(long averageMillis, long samples) {
        return latency(Duration.ofMillis(averageMillis), samples);
    }

    TestCandidate price(double input, double output) {
        price = new Price(input, output);
        return this;
    }

    Candidate build() {
        return new Candidate(index, supplier, tier, weight, health, inFlight, maxConcurrent, requestsLeft, tokensLeft,
                timeToFirstToken, latencySamples, price);
    }
}
