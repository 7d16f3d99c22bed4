package dev.junction.gateway.tenant;

import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The limits of one organization or key: each {@link LimitKind} either absent (no limit) or a positive count. Money
 * ({@link LimitKind#MONTHLY_SPEND}) is in micro-units.
 */
public record Limits(OptionalLong rpm, OptionalLong tpm, OptionalLong maxConcurrent, OptionalLong monthlyTokens,
                     OptionalLong monthlySpendMicros) {
    public static final Limits NONE = new Limits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
            OptionalLong.empty(), OptionalLong.empty());

    public Limits {
        for (OptionalLong v : new OptionalLong[]{rpm, tpm, maxConcurrent, monthlyTokens, monthlySpendMicros}) {
            if (v == null) throw new NullPointerException("a limit is null; use OptionalLong.empty()");
            if (v.isPresent() && v.getAsLong() < 0) throw new IllegalArgumentException("a limit is negative");
        }
    }

    public OptionalLong get(LimitKind kind) {
        return switch (kind) {
            case RPM -> rpm;
            case TPM -> tpm;
            case MAX_CONCURRENT -> maxConcurrent;
            case MONTHLY_TOKENS -> monthlyTokens;
            case MONTHLY_SPEND -> monthlySpendMicros;
        };
    }

    /** These limits with {@code kind} set to {@code value} (empty: no limit). */
    public Limits with(LimitKind kind, OptionalLong value) {
        return new Limits(kind == LimitKind.RPM ? value : rpm, kind == LimitKind.TPM ? value : tpm,
                kind == LimitKind.MAX_CONCURRENT ? value : maxConcurrent,
                kind == LimitKind.MONTHLY_TOKENS ? value : monthlyTokens,
                kind == LimitKind.MONTHLY_SPEND ? value : monthlySpendMicros);
    }

    public Limits with(LimitKind kind, long value) {
        return with(kind, OptionalLong.of(value));
    }

    /** The limits that are set, in {@link LimitKind} order. */
    public Map<LimitKind, Long> set() {
        Map<LimitKind, Long> out = new EnumMap<>(LimitKind.class);
        for (LimitKind k : LimitKind.values()) get(k).ifPresent(v -> out.put(k, v));
        return out;
    }

    public boolean isNone() {
        return set().isEmpty();
    }
}
