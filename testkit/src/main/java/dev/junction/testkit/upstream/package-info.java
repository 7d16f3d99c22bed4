/**
 * A fault-injecting OpenAI-compatible upstream for tests of anything that talks to one (the supplier router
 * above all): {@link dev.junction.testkit.upstream.FakeUpstream} is a real HTTP/1.1 server on loopback that
 * answers chat and text completions (plain and streamed, OpenAI and Azure paths), model lists and health probes,
 * records every request, can echo what it received or give a {@link dev.junction.testkit.upstream.Canned} answer,
 * and misbehaves as a {@link dev.junction.testkit.upstream.Fault} says: slow, silent, 5xx, 429, garbage, cut,
 * reset, malformed or stalled streams, closed connections. It can be stopped and started again on the same port.
 * Depends on nothing but the JDK.
 *
 * <p>The server loop is {@code FakeUpstream} (accepting) and {@code Connection} (one per connection, where faults
 * take effect); {@code RequestReader} parses requests, {@code AnswerWriter} writes answers, {@code OpenAiAnswers}
 * holds the wire shapes.
 */
package dev.junction.testkit.upstream;
