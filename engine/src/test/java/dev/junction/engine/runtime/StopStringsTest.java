package dev.junction.engine.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StopStringsTest {
    /** Feeds the chunks; returns what came out, and "|" + the flushed rest when no stop string was found. */
    static String feed(List<String> stops, String... chunks) {
        StopStrings s = new StopStrings(stops);
        StringBuilder out = new StringBuilder();
        for (String c : chunks) out.append(s.add(c));
        return s.stopped() ? out.toString() : out + "|" + s.flush();
    }

    @Test
    void withoutStopStringsTextPassesThrough() {
        assertThat(feed(List.of(), "Hel", "lo")).isEqualTo("Hello|");
    }

    @Test
    void theStopStringAndEverythingAfterItAreDropped() {
        assertThat(feed(List.of("wor"), "Hello world!")).isEqualTo("Hello ");
    }

    @Test
    void aMatchMaySpanTokens() {
        assertThat(feed(List.of("world"), "Hel", "lo w", "o", "r", "ld and more")).isEqualTo("Hello ");
    }

    @Test
    void textThatCouldStartAStopStringIsHeldUntilItCannot() {
        StopStrings s = new StopStrings(List.of("world"));
        assertThat(s.add("say w")).isEqualTo("say ");
        assertThat(s.add("o")).isEmpty();
        assertThat(s.add("w!")).isEqualTo("wow!");
        assertThat(s.stopped()).isFalse();
    }

    @Test
    void heldTextIsReleasedWhenTheOutputEnds() {
        assertThat(feed(List.of("world"), "hello wor")).isEqualTo("hello |wor");
    }

    @Test
    void overlappingStartsAreFound() {
        assertThat(feed(List.of("aab"), "a", "a", "a", "b")).isEqualTo("a");
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        assertThat(feed(List.of("lo", "He"), "Hello")).isEmpty();
        assertThat(feed(List.of("xyz", "l"), "Hel", "lo")).isEqualTo("He");
    }

    @Test
    void nothingComesOutAfterAStop() {
        StopStrings s = new StopStrings(List.of("."));
        assertThat(s.add("One. Two")).isEqualTo("One");
        assertThat(s.add("more")).isEmpty();
        assertThat(s.stopped()).isTrue();
    }
}
