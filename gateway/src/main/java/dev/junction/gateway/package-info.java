/**
 * The business edition: organizations, users and API keys ({@code tenant}), limits that hold across nodes
 * ({@code limit}), the usage ledger ({@code usage}), the tamper-evident audit log ({@code audit}), all on one
 * {@code db.Database} (SQLite or PostgreSQL), and what plugs them into the server ({@code http}: the interceptor and
 * the admin API). Must not depend on the engine or the router: prices reach it as a function, from {@code cli}.
 */
package dev.junction.gateway;
