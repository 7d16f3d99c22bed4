/**
 * Capacity contracts: what was bought from a supplier for one deployment ({@code max_concurrent}, {@code rpm},
 * {@code tpm}), and the admission that keeps within it. A {@link dev.junction.router.capacity.CapacityContract}
 * reserves a request's concurrency slot, its place in the minute and its tokens at once, or refuses with the limit
 * and a Retry-After; the {@link dev.junction.router.capacity.Reservation} is settled with the real token count or
 * released, exactly once, or reclaimed when its lease ends. The counters live behind a
 * {@link dev.junction.router.capacity.ContractStore} (in memory now; shared between nodes later), apart from the
 * algorithm. Pure and thread-safe: time comes only from an injected {@link java.time.InstantSource}; no threads, no
 * sleeping. Must not depend on {@code health}, {@code config}, any HTTP client or server, the engine or any database
 * driver.
 */
package dev.junction.router.capacity;
