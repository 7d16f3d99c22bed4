package dev.junction.gateway.usage;

/** Requests, tokens and money added up over some usage records. */
public record UsageTotals(long requests, long promptTokens, long completionTokens, long cachedTokens,
                          long spendMicros) {
    public static final UsageTotals ZERO = new UsageTotals(0, 0, 0, 0, 0);

    public UsageTotals plus(UsageTotals other) {
        return new UsageTotals(requests + other.requests, promptTokens + other.promptTokens,
                completionTokens + other.completionTokens, cachedTokens + other.cachedTokens,
                spendMicros + other.spendMicros);
    }

    /** Prompt plus completion tokens. */
    public long tokens() {
        return promptTokens + completionTokens;
    }
}
