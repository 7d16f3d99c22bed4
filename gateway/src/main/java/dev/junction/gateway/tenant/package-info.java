/**
 * Who may call: organizations, their users, API keys (only a hash of each secret is kept) and the limits set on
 * organizations and keys; {@link dev.junction.gateway.tenant.Tenants} reads and writes them inside a caller's
 * transaction. Must not depend on HTTP, the limiter's counters or the ledger.
 */
package dev.junction.gateway.tenant;
