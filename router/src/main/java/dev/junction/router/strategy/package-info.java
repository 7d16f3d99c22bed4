/**
 * Routing strategies: in which order one request tries the deployments of its model. A
 * {@link dev.junction.router.strategy.RoutingStrategy} sees a {@link dev.junction.router.strategy.RouteRequest} and
 * the model's usable deployments as {@link dev.junction.router.strategy.Candidate}s (their tier, weight, load,
 * contract headroom, time to first token and price at that moment) and answers all of them, best first; the router
 * then tries them in that order until a breaker and a contract admit the request, and moves on down the list when an
 * attempt fails before anything reached the client. One class per strategy of
 * {@link dev.junction.router.config.Strategy}; {@link dev.junction.router.strategy.RoutingStrategy#create} makes one.
 *
 * <p>Every strategy puts the candidates with room for the request before those without (the room it saw may have
 * changed by the time the router asks the contract, so those go last rather than away), and breaks ties at random.
 *
 * <p>Pure decision code, deterministic for a given {@link java.util.random.RandomGenerator}: no HTTP, no threads, no
 * clock, no I/O, no configuration parsing (of {@code config} it uses only the {@code Strategy} and {@code Price}
 * records). It does not depend on {@code health}, {@code capacity} or {@code upstream}: the router reads breakers,
 * contracts and latency trackers and hands over what they say as candidates. The one strategy that learns,
 * {@code prefix}, keeps its memory inside, bounded and thread-safe.
 */
package dev.junction.router.strategy;
