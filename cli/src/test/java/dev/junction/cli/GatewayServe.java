package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.engine.runtime.EngineConfig;
import dev.junction.gateway.GatewaySettings;
import dev.junction.gateway.db.DatabaseUrl;
import dev.junction.gateway.usage.LedgerSettings;
import dev.junction.server.ServerConfig;
import dev.junction.testkit.TestModels;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code junction serve --auth} started in-process on the embedded test model (or a routing file), on a database the
 * test gives, with a known instance administrator's key; plain HTTP calls to it with any key.
 */
final class GatewayServe implements AutoCloseable {
    static final String ADMIN_KEY = "jk-test-instance-administrator-key-0123456789";
    static final String MODEL = "stories260K";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: status, headers and the body as JSON (null when it is not JSON). */
    record Reply(int status, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (Exception e) {
                throw new AssertionError("not JSON (" + status + "): " + raw.body());
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final Serving serving;
    private final GatewayFront front;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private GatewayServe(Serving serving, GatewayFront front) {
        this.serving = serving;
        this.front = front;
    }

    /** The embedded test model behind the business edition on {@code db}. */
    static GatewayServe start(DatabaseUrl db) {
        GatewayFront front = open(db);
        try {
            var model = new Serving.NamedModel(MODEL, TestModels.stories260K());
            return new GatewayServe(Serving.start(List.of(model), EngineConfig.defaults().withContextLength(256),
                    ServerConfig.defaults().withPort(0), 1, false, new PrintWriter(new StringWriter()), front), front);
        } catch (RuntimeException e) {
            front.close();
            throw e;
        }
    }

    /** A routing file ({@code yaml}, written into {@code dir}) behind the business edition on {@code db}. */
    static GatewayServe startRouted(DatabaseUrl db, Path dir, String yaml) throws Exception {
        Path file = Files.writeString(Files.createDirectories(dir).resolve("junction.yaml"), yaml);
        GatewayFront front = open(db);
        try {
            return new GatewayServe(Serving.startRouted(file, Map.of(), List.of(), EngineConfig.defaults(),
                    ServerConfig.defaults().withPort(0), 1, false, new PrintWriter(new StringWriter()), front), front);
        } catch (Exception e) {
            front.close();
            throw e;
        }
    }

    private static GatewayFront open(DatabaseUrl db) {
        GatewayFront front = GatewayFront.open(GatewaySettings.defaults(db, "test-node")
                .withLedger(LedgerSettings.DEFAULTS.withFlushInterval(Duration.ofMillis(100))));
        front.gateway().ensureInstanceKey(Optional.of(ADMIN_KEY));
        return front;
    }

    URI baseUri() {
        return serving.baseUri();
    }

    GatewayFront front() {
        return front;
    }

    /** Writes every usage record still queued. */
    void flushUsage() {
        front.gateway().ledger().flush();
    }

    Reply call(String method, String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(baseUri().resolve(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r);
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    Reply admin(String method, String path, String body) {
        return call(method, path, ADMIN_KEY, body);
    }

    /** Creates an organization (as the instance administrator); returns its id. */
    String organization(String name, String limits) {
        Reply r = admin("POST", "/admin/v1/organizations", "{\"name\":\"" + name + "\"" + limits + "}");
        if (r.status() != 201) throw new AssertionError(r.raw().body());
        return r.json().path("id").asText();
    }

    /** Creates a key in {@code org} with the extra JSON fields {@code fields}; returns its JSON (with "key"). */
    JsonNode key(String org, String fields) {
        Reply r = admin("POST", "/admin/v1/organizations/" + org + "/keys", "{\"name\":\"k\"" + fields + "}");
        if (r.status() != 201) throw new AssertionError(r.raw().body());
        return r.json();
    }

    /** A chat completion of a few tokens as {@code key}. */
    Reply chat(String key, String model, int maxTokens) {
        return call("POST", "/v1/chat/completions", key, "{\"model\":\"" + model
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon\"}],\"max_tokens\":" + maxTokens + "}");
    }

    @Override
    public void close() {
        http.close();
        serving.close();
    }
}
