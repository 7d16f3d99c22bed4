package dev.junction.router.strategy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteRequestTest {
    @Test
    void aChatIsItsMessagesInOrderWithTheirRoles() {
        String text = RouteRequest.chatPrompt(List.of(new RouteRequest.Turn("system", "Be brief."),
                new RouteRequest.Turn("user", "Hi")));
        assertThat(text).isEqualTo("<system>\nBe brief.\n<user>\nHi\n");
    }

    @Test
    void aLongerChatStartsWithTheShorterOne() {
        var system = new RouteRequest.Turn("system", "Be brief.");
        var question = new RouteRequest.Turn("user", "Hi");
        var answer = new RouteRequest.Turn("assistant", "Hello.");
        assertThat(RouteRequest.chatPrompt(List.of(system, question, answer)))
                .startsWith(RouteRequest.chatPrompt(List.of(system, question)));
    }

    @Test
    void theSameTextInAnotherRoleIsAnotherPrompt() {
        assertThat(RouteRequest.chatPrompt(List.of(new RouteRequest.Turn("system", "x"))))
                .isNotEqualTo(RouteRequest.chatPrompt(List.of(new RouteRequest.Turn("user", "x"))));
    }

    @Test
    void tokensAreEstimatedAtFourCharactersEach() {
        assertThat(RouteRequest.estimateTokens("")).isZero();
        assertThat(RouteRequest.estimateTokens("abc")).isEqualTo(1);
        assertThat(RouteRequest.estimateTokens("abcd")).isEqualTo(1);
        assertThat(RouteRequest.estimateTokens("abcde")).isEqualTo(2);
    }

    @Test
    void completionTokensAreMaxTokensOrTheDefault() {
        assertThat(new RouteRequest("m", 10, OptionalInt.of(7), "").completionTokens()).isEqualTo(7);
        assertThat(new RouteRequest("m", 10, OptionalInt.empty(), "").completionTokens())
                .isEqualTo(RouteRequest.DEFAULT_COMPLETION_TOKENS);
    }

    @Test
    void countsAreNotNegative() {
        assertThatThrownBy(() -> new RouteRequest("m", -1, OptionalInt.empty(), ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RouteRequest("m", 1, OptionalInt.of(-1), ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
