package dev.junction.openai;

import dev.junction.openai.CompletionRequest.PromptInput;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CompletionRequestTest {
    static CompletionRequest parse(String json) {
        return CompletionRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static String refusedParam(String json) {
        return catchThrowableOfType(InvalidRequestException.class, () -> parse(json)).param();
    }

    @Test
    void aTextPromptDefaultsToSixteenTokens() {
        var request = parse("{\"model\": \"m\", \"prompt\": \"Once upon\"}");

        assertThat(request.prompts()).containsExactly(new PromptInput.Text("Once upon"));
        assertThat(request.options().maxTokens()).isEqualTo(16);
        assertThat(request.echo()).isFalse();
        assertThat(request.logprobs()).isNull();
    }

    @Test
    void promptsMayBeBatchedAsStringsOrTokenArrays() {
        assertThat(parse("{\"model\": \"m\", \"prompt\": [\"a\", \"b\"]}").prompts())
                .containsExactly(new PromptInput.Text("a"), new PromptInput.Text("b"));
        var tokens = parse("{\"model\": \"m\", \"prompt\": [1, 2, 3]}").prompts();
        assertThat(tokens).singleElement().isInstanceOfSatisfying(PromptInput.Tokens.class,
                t -> assertThat(t.ids()).containsExactly(1, 2, 3));
        var batch = parse("{\"model\": \"m\", \"prompt\": [[1, 2], [3]]}").prompts();
        assertThat(batch).hasSize(2);
        assertThat(((PromptInput.Tokens) batch.get(1)).ids()).containsExactly(3);
    }

    @Test
    void legacyFieldsAreRead() {
        var request = parse("{\"model\": \"m\", \"prompt\": \"x\", \"echo\": true, \"max_tokens\": 4, \"n\": 2}");
        assertThat(request.echo()).isTrue();
        assertThat(request.options().maxTokens()).isEqualTo(4);
        assertThat(parse("{\"model\": \"m\", \"prompt\": \"x\", \"logprobs\": 2}").logprobs()).isEqualTo(2);
        assertThat(parse("{\"model\": \"m\", \"prompt\": \"x\", \"best_of\": 1}").prompts()).hasSize(1);
        assertThat(parse("{\"model\": \"m\", \"prompt\": [1, 2], \"echo\": true, \"logprobs\": 0}").echo()).isTrue();
    }

    @Test
    void unsupportedOrMalformedFieldsAreRefusedByName() {
        assertThat(refusedParam("{\"model\": \"m\"}")).isEqualTo("prompt");
        assertThat(refusedParam("{\"model\": \"m\", \"prompt\": []}")).isEqualTo("prompt");
        assertThat(refusedParam("{\"model\": \"m\", \"prompt\": {\"a\": 1}}")).isEqualTo("prompt");
        assertThat(refusedParam("{\"model\": \"m\", \"prompt\": [\"a\", 3]}")).isEqualTo("prompt[1]");
        assertThat(refusedParam("{\"model\": \"m\", \"prompt\": [1, \"a\"]}")).isEqualTo("prompt[1]");
        assertThat(refusedParam("{\"model\": \"m\", \"prompt\": [-1]}")).isEqualTo("prompt[0]");
        assertThat(refusedParam("{\"model\": \"m\", \"prompt\": \"x\", \"suffix\": \"y\"}")).isEqualTo("suffix");
        assertThat(refusedParam("{\"model\": \"m\", \"prompt\": \"x\", \"best_of\": 3}")).isEqualTo("best_of");
        assertThat(refusedParam("{\"model\": \"m\", \"prompt\": \"x\", \"best_of\": 1, \"n\": 2}"))
                .isEqualTo("best_of");
        assertThat(refusedParam("{\"model\": \"m\", \"prompt\": \"x\", \"logprobs\": 21}")).isEqualTo("logprobs");
    }

    @Test
    void whatCannotBeHonouredIsRefusedNamingTheModel() {
        assertThat(catchThrowableOfType(InvalidRequestException.class,
                () -> parse("{\"model\": \"m\", \"prompt\": \"x\", \"suffix\": \"y\"}")))
                .hasMessage("'suffix' is not supported by model 'm'.");
        assertThat(catchThrowableOfType(InvalidRequestException.class,
                () -> parse("{\"model\": \"m\", \"prompt\": \"x\", \"best_of\": 3, \"n\": 2}")))
                .hasMessageStartingWith("'best_of' greater than 'n' is not supported by model 'm'");
    }

    @Test
    void aSuffixOrBestOfSentAsNullCountsAsAbsent() {
        var request = parse("{\"model\": \"m\", \"prompt\": \"x\", \"suffix\": null, \"best_of\": null, \"n\": 2}");

        assertThat(request.options().n()).isEqualTo(2);
        assertThat(parse("{\"model\": \"m\", \"prompt\": \"x\", \"best_of\": 2, \"n\": 2}").options().n())
                .isEqualTo(2);
    }
}
