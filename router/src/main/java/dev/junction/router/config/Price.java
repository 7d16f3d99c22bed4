package dev.junction.router.config;

/**
 * What a supplier charges, in the operator's currency per million tokens. Left out of the file: {@link #FREE} (as the
 * local engine is), so the {@code cost} strategy prefers a supplier without a price.
 *
 * @param input  per million prompt tokens
 * @param output per million completion tokens
 */
public record Price(double input, double output) {
    public static final Price FREE = new Price(0, 0);
}
