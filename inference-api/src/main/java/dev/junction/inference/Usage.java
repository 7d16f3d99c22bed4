package dev.junction.inference;

/**
 * Tokens a generation consumed.
 *
 * @param promptTokens     tokens of the prompt (after the chat template)
 * @param completionTokens tokens generated
 * @param cachedTokens     prompt tokens whose keys and values were reused from the prefix cache
 */
public record Usage(int promptTokens, int completionTokens, int cachedTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
