/**
 * A remote supplier as the router calls it: the client's OpenAI request body passed on unchanged but for
 * {@code model} (and the usage the router needs to meter a stream), the supplier's URL and credentials by kind
 * (OpenAI-compatible, Azure OpenAI), and the usage read back from its answer. Must not depend on the engine, the
 * HTTP server or routing decisions; the HTTP call itself is {@code upstream}'s.
 */
package dev.junction.router.remote;
