/**
 * Who is calling: the API key a request presents ({@code Authorization: Bearer jk-…} or {@code api-key}), checked
 * against the stored hashes, with its organization. A short cache keeps the database off the request path while
 * still seeing a revocation on another node within {@link Authenticator#DEFAULT_FRESHNESS}. Must not depend on HTTP,
 * the server, the router or the engine.
 */
package dev.junction.gateway.auth;
