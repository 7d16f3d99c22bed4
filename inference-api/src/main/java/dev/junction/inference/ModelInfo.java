package dev.junction.inference;

/**
 * A model a service serves.
 *
 * @param id            the name requests use
 * @param ownedBy       who serves it ("junction" for local models)
 * @param created       when it was loaded, in seconds since the epoch
 * @param contextLength the most tokens (prompt and output together) one sequence can hold
 */
public record ModelInfo(String id, String ownedBy, long created, int contextLength) {
}
