/**
 * The database the business edition keeps its records in: SQLite (a file, the default) or PostgreSQL, one set of
 * Flyway migrations for both, a HikariCP pool and JDBI. Knows no tenant, limit or HTTP type.
 */
package dev.junction.gateway.db;
