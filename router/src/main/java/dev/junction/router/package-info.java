/**
 * The supplier router: one public model name served by several compute suppliers (the local engine, any
 * OpenAI-compatible upstream), with routing strategies, capacity contracts, health, breakers and bounded retries.
 * Its parts live in sub-packages, one concept each ({@code config}, {@code health}, {@code capacity}, {@code strategy}, {@code upstream}, {@code remote}, {@code route}). Must not
 * depend on the engine, the HTTP server or any database; {@code cli} wires it.
 */
package dev.junction.router;
