package dev.junction.gateway.tenant;

/** The limits an organization or a key may have; each one absent means no limit. */
public enum LimitKind {
    /** Requests per calendar minute. */
    RPM("rpm", "rpm"),
    /** Tokens (prompt plus {@code max_tokens} until settled) per calendar minute. */
    TPM("tpm", "tpm"),
    /** Requests in flight at once. */
    MAX_CONCURRENT("max_concurrent", "max_concurrent"),
    /** Tokens per calendar month (UTC). */
    MONTHLY_TOKENS("monthly_tokens", "monthly_tokens"),
    /** Spend per calendar month (UTC), in micro-units of the operator's currency (the API shows units). */
    MONTHLY_SPEND("monthly_spend", "monthly_spend_micros");

    private final String field;
    private final String column;

    LimitKind(String field, String column) {
        this.field = field;
        this.column = column;
    }

    /** The name in the admin API's JSON. */
    public String field() {
        return field;
    }

    /** The column in {@code organizations} and {@code api_keys}. */
    public String column() {
        return column;
    }
}
