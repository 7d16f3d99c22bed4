/**
 * Limits that hold across nodes: requests and tokens per calendar minute, requests in flight, tokens and spend per
 * calendar month, per key and per organization. Admission reserves (prompt + {@code max_tokens}, and its price) under
 * the database's row locks; the real count settles the reservation; a reservation whose node died runs out of lease
 * and is released. Knows tenants only by their {@link dev.junction.gateway.tenant.Limits}; must not depend on HTTP,
 * the server, the router or the engine.
 */
package dev.junction.gateway.limit;
