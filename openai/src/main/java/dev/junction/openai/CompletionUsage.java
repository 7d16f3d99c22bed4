package dev.junction.openai;

/**
 * Tokens a request consumed: the prompt once per prompt (not once per choice), the completion summed over choices.
 *
 * @param promptTokensDetails how many prompt tokens were served from the prefix cache
 */
public record CompletionUsage(int promptTokens, int completionTokens, int totalTokens,
                              PromptTokensDetails promptTokensDetails) {
    public record PromptTokensDetails(int cachedTokens) {
    }

    public static CompletionUsage of(int promptTokens, int completionTokens, int cachedTokens) {
        return new CompletionUsage(promptTokens, completionTokens, promptTokens + completionTokens,
                new PromptTokensDetails(cachedTokens));
    }
}
