/**
 * The administration of organizations, users, keys and limits, and the reading of usage and audit, as one set of
 * operations the admin REST API and {@code junction admin} (on the database directly) both call. Each operation is
 * one transaction with its audit entry; an actor sees only what it manages, and anything else does not exist for it
 * ({@link AdminException.Kind#NOT_FOUND}). Must not depend on HTTP, the server, the router or the engine.
 */
package dev.junction.gateway.admin;
