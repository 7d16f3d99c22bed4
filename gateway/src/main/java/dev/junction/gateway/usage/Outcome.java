package dev.junction.gateway.usage;

/** How a metered request ended; stored as its {@link #code()} (a small int that never changes meaning). */
public enum Outcome {
    /** Answered in full. */
    OK(1),
    /** The client left mid-way (a stream it cut): metered up to where it left. */
    CANCELLED(2),
    /** Failed mid-way, or the supplier answered with an error. */
    FAILED(3),
    /** Answered with a 4xx after admission. */
    REJECTED(4);

    private final int code;

    Outcome(int code) {
        this.code = code;
    }

    /** The code stored in {@code usage_records.outcome}. */
    public int code() {
        return code;
    }

    /** The outcome stored as {@code code}. */
    public static Outcome fromCode(int code) {
        for (Outcome o : values()) {
            if (o.code == code) return o;
        }
        throw new IllegalArgumentException("unknown usage outcome code " + code);
    }
}
