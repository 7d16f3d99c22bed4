package dev.junction.router.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SubstitutionTest {
    private final Substitution env = new Substitution(Map.of("A", "1", "B_2", "two", "EMPTY", "", "LOOP", "${A}"));

    @Test
    void replacesEveryReferenceOnceAndLeavesOtherDollarsAlone() throws Exception {
        assertThat(env.apply("no variables")).isEqualTo("no variables");
        assertThat(env.apply("${A}${B_2}-${EMPTY}x")).isEqualTo("1two-x");
        assertThat(env.apply("$5 and $A and $")).isEqualTo("$5 and $A and $");
        assertThat(env.apply("$${A} is written ${A}")).isEqualTo("${A} is written 1");
        assertThat(env.apply("${LOOP}")).isEqualTo("${A}");
    }

    @Test
    void anUnsetOrMalformedReferenceIsAnError() {
        assertThatExceptionOfType(Substitution.Unresolved.class).isThrownBy(() -> env.apply("x${NOPE}"))
                .withMessage("environment variable NOPE is not set");
        assertThatExceptionOfType(Substitution.Unresolved.class).isThrownBy(() -> env.apply("${A"))
                .withMessageStartingWith("malformed variable reference at character 1");
        assertThatExceptionOfType(Substitution.Unresolved.class).isThrownBy(() -> env.apply("${1A}"))
                .withMessageStartingWith("malformed variable reference");
    }
}
