package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.gateway.Gateway;
import dev.junction.gateway.GatewaySettings;
import dev.junction.gateway.admin.Actor;
import dev.junction.gateway.admin.AdminException;
import dev.junction.gateway.db.DatabaseUrl;
import dev.junction.gateway.http.AdminOperations;
import dev.junction.openai.OpenAiJson;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where {@code junction admin} acts: a running server's admin API (with an admin key), or the database directly
 * (the operator's own powers). Both answer the same JSON, since both run the same {@link AdminOperations}.
 */
sealed interface AdminTarget extends AutoCloseable {
    /** What the operation is on the database directly. */
    interface Direct {
        Object run(AdminOperations ops, Actor actor);
    }

    /** Runs one operation: {@code method path?query} with {@code body} remotely, or {@code direct} on the database. */
    JsonNode call(String method, String path, Map<String, String> query, byte[] body, Direct direct);

    @Override
    void close();

    /** The admin API of the server at {@code base}, authenticated by {@code key}. */
    record Remote(URI base, String key, HttpClient http) implements AdminTarget {
        static Remote of(String url, String key) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("--url needs an admin key: --key or JUNCTION_ADMIN_KEY");
            }
            String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            return new Remote(URI.create(base), key.strip(),
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
        }

        @Override
        public JsonNode call(String method, String path, Map<String, String> query, byte[] body, Direct direct) {
            String q = query.entrySet().stream().filter(e -> e.getValue() != null)
                    .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + path + (q.isEmpty() ? "" : "?" + q)))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            HttpResponse<byte[]> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot reach " + base + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
            JsonNode tree;
            try {
                tree = OpenAiJson.readTree(response.body());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(base + path + " answered " + response.statusCode()
                        + " without JSON: is it a Junction server started with --auth?");
            }
            if (response.statusCode() >= 400) {
                throw new IllegalArgumentException(tree.path("error").path("message").asText("HTTP "
                        + response.statusCode()) + " (HTTP " + response.statusCode() + ")");
            }
            return tree;
        }

        @Override
        public void close() {
            http.close();
        }
    }

    /** The database directly, as the operator (instance powers; audited as {@code cli}). */
    record OnDatabase(Gateway gateway) implements AdminTarget {
        static OnDatabase open(DatabaseUrl url) {
            return new OnDatabase(Gateway.open(GatewaySettings.defaults(url, Hosts.nodeName()), Clock.systemUTC()));
        }

        @Override
        public JsonNode call(String method, String path, Map<String, String> query, byte[] body, Direct direct) {
            try {
                return OpenAiJson.readTree(OpenAiJson.write(direct.run(gateway.operations(), Actor.commandLine())));
            } catch (AdminException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }

        @Override
        public void close() {
            gateway.close();
        }
    }
}
