/**
 * What plugs the business edition into the server: the interceptor every {@code /v1} request passes (the key, its
 * allowed models, admission against its limits, settlement and the usage record), the self-service
 * {@code GET /v1/usage} and the admin API under {@code /admin/v1}. Speaks the server's seam and the OpenAI error
 * shape; must not depend on the router or the engine.
 */
package dev.junction.gateway.http;
