/**
 * The usage ledger: one compact record per request ({@link dev.junction.gateway.usage.UsageRecord}), queued in
 * memory and written in batches off the request path by {@link dev.junction.gateway.usage.Ledger}, rolled up per UTC
 * day, the raw records deleted after a retention while the daily totals stay; reports per day, model, key or
 * supplier that add up exactly to what clients were told in usage. Depends on {@code db} only: must not depend on
 * the engine, the router, HTTP/Javalin or the tenant store (organizations and keys reach it as ids).
 */
package dev.junction.gateway.usage;
