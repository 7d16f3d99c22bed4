/**
 * The health of one deployment, as the router sees it: the three-state {@link dev.junction.router.health.Breaker},
 * the {@link dev.junction.router.health.RetryBudget} that bounds failover, and the
 * {@link dev.junction.router.health.LatencyTracker} of time to first token. Each is pure and thread-safe: its time
 * comes only from an injected {@link java.time.InstantSource}, it starts no thread, never sleeps and does no I/O; the
 * router feeds it outcomes. Must not depend on {@code capacity}, {@code config}, any HTTP client or server, the engine
 * or any database.
 */
package dev.junction.router.health;
