package dev.junction.gateway.limit;

/**
 * What requests cost, in micro-units of the operator's currency: the prices of the router's deployments, reached
 * here as a function so the business edition knows nothing of the router.
 */
public interface Pricing {
    /** Nothing costs anything (no prices configured: spend limits never bind). */
    Pricing FREE = new Pricing() {
        @Override
        public long reserveMicros(String model, long promptTokens, long completionTokens) {
            return 0;
        }

        @Override
        public long chargeMicros(String model, String supplier, long promptTokens, long completionTokens) {
            return 0;
        }
    };

    /** The most a request to {@code model} could cost, whichever of its suppliers answers (what admission reserves). */
    long reserveMicros(String model, long promptTokens, long completionTokens);

    /** What a request cost when {@code supplier} (null: unknown, the dearest is charged) answered it. */
    long chargeMicros(String model, String supplier, long promptTokens, long completionTokens);

    /** {@code tokens} at {@code pricePerMillion} units per million tokens, in micro-units (rounded up). */
    static long micros(long tokens, double pricePerMillion) {
        if (tokens <= 0 || pricePerMillion <= 0) return 0;
        return (long) Math.ceil(tokens * pricePerMillion - 1e-9);
    }
}
