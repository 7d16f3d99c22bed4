/** A real PostgreSQL server for tests. Depends on nothing of Junction's. */
package dev.junction.testkit.db;
