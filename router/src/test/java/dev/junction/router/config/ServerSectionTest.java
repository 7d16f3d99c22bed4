package dev.junction.router.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.junction.router.config.Configs.errors;
import static dev.junction.router.config.Configs.load;
import static org.assertj.core.api.Assertions.assertThat;

class ServerSectionTest {
    @Test
    void keysAreNormalisedToTheOptionNamesAndValuesKeptAsText() throws Exception {
        RouterConfig config = load("""
                server:
                  host: 0.0.0.0
                  port: 9000
                  max_queue: 32
                  max-running: 8
                  queue_timeout: "0"
                  cache_type: F16
                  mmap: true
                  model: [stories=/m/stories.gguf, /m/llama.gguf]
                """);

        assertThat(config.server()).containsExactly(
                Map.entry("host", "0.0.0.0"), Map.entry("port", "9000"), Map.entry("max-queue", "32"),
                Map.entry("max-running", "8"), Map.entry("queue-timeout", "0"), Map.entry("cache-type", "F16"),
                Map.entry("mmap", "true"), Map.entry("model", "stories=/m/stories.gguf,/m/llama.gguf"));
    }

    @Test
    void acceptsServesOptionsAndNothingElse() throws Exception {
        assertThat(ServerOptions.names()).containsExactly("model", "host", "port", "max-running", "max-queue",
                "queue-timeout", "ctx", "kv-blocks", "token-budget", "cache-type", "threads", "mmap", "grace");
        assertThat(load("server: {model: stories=/m/s.gguf, threads: 2, grace: 5, ctx: 0, kv_blocks: 0, token_budget: 64}\n")
                .server()).containsEntry("model", "stories=/m/s.gguf").containsEntry("kv-blocks", "0");
        assertThat(errors("""
                server:
                  max_queu: 3
                  config: other.yaml
                """)).containsExactly(
                "junction.yaml:2:3: server.max_queu: unknown option 'max_queu' (did you mean 'max-queue'?)",
                "junction.yaml:3:3: server.config: unknown option 'config' (known: model, host, port, max-running, "
                        + "max-queue, queue-timeout, ctx, kv-blocks, token-budget, cache-type, threads, mmap, grace)");
    }

    @Test
    void anOptionWrittenTwiceOrOfTheWrongKindIsRefused() {
        assertThat(errors("""
                server:
                  max_queue: 3
                  max-queue: 4
                  port: -1
                  grace: soon
                  mmap: maybe
                  host: {a: b}
                """)).containsExactly(
                "junction.yaml:3:3: server.max-queue: the same option as the key at 2:3 "
                        + "('_' and '-' are the same in option names)",
                "junction.yaml:4:9: server.port: must be at least 0, got -1",
                "junction.yaml:5:10: server.grace: expected a whole number, got 'soon'",
                "junction.yaml:6:9: server.mmap: expected true or false, got 'maybe'",
                "junction.yaml:7:9: server.host: expected a single value, got a mapping");
    }

    @Test
    void valuesMayComeFromTheEnvironment() throws Exception {
        assertThat(load("server: {port: '${PORT}'}\n", Map.of("PORT", "7000")).server()).containsEntry("port", "7000");
    }
}
