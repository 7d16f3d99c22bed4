/**
 * The tamper-evident audit log: {@link dev.junction.gateway.audit.AuditLog} appends every admin action (who, what,
 * when, from where) inside the caller's transaction as one entry of a SHA-256 hash chain shared by all nodes, lists
 * entries, and verifies the chain (an edited, deleted or reordered row is reported; an
 * {@link dev.junction.gateway.audit.AuditAnchor} kept outside the database guards against a rewritten chain).
 * Depends only on JDBI, Jackson, SLF4J and the {@code db} package's dialect; must not depend on the tenants, limits
 * or ledger, the engine, the router, or HTTP/Javalin.
 */
package dev.junction.gateway.audit;
