package dev.junction.cli;

import dev.junction.testkit.db.TestPostgres;
import dev.junction.testkit.upstream.Fault;
import dev.junction.testkit.upstream.FakeUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real {@code junction serve --auth} processes on one real PostgreSQL, routing to a slow upstream (so every
 * admitted request is still in flight while the rest arrive): sent four times a key's per-minute request limit, and
 * four times its token limit, concurrently and split over both, exactly the limit is admitted in total; a key
 * revoked on one node is refused on the other within a second.
 */
class GatewayTwoNodeTest {
    static final String ADMIN = "jk-two-node-instance-administrator-key-000";
    static final int LIMIT = 8;
    static final int MAX_TOKENS = 5;

    @TempDir
    static Path dir;
    static FakeUpstream upstream;
    static final List<Process> processes = new ArrayList<>();
    static final List<URI> nodes = new ArrayList<>();
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        upstream = FakeUpstream.builder().models("tiny").start();
        upstream.fault(Fault.slow(Duration.ofSeconds(4)));
        Path config = Files.writeString(dir.resolve("junction.yaml"), """
                suppliers:
                  s1: {kind: openai, url: "%s"}
                models:
                  tiny: {deployments: [{supplier: s1}]}
                """.formatted(upstream.openAiBaseUri()));
        String db = TestPostgres.newDatabaseUrl();
        for (int i = 0; i < 2; i++) {
            Path home = Files.createDirectories(dir.resolve("node-" + i));
            processes.add(JunctionProcess.start(home, home.resolve("stderr.log"), Map.of("JUNCTION_ADMIN_KEY", ADMIN),
                    List.of("serve", "--auth", "--db", db, "--config", config.toString(), "--port", "0")));
        }
        for (int i = 0; i < 2; i++) {
            nodes.add(JunctionProcess.awaitServing(processes.get(i), dir.resolve("node-" + i).resolve("stderr.log")));
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (Process p : processes) p.destroyForcibly().waitFor();
        if (http != null) http.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void fourTimesTheRequestLimitFromTwoNodesAdmitsExactlyTheLimit() throws Exception {
        String key = key("{\"name\":\"rpm\",\"rpm\":" + LIMIT + "}");
        assertThat(burst(key, 4 * LIMIT)).isEqualTo(LIMIT);
    }

    @Test
    void fourTimesTheTokenLimitFromTwoNodesAdmitsExactlyTheLimit() throws Exception {
        // a request reserves its prompt estimated from its body (4 bytes a token) plus max_tokens
        int reserves = (chat().getBytes(StandardCharsets.UTF_8).length + 3) / 4 + MAX_TOKENS;
        String key = key("{\"name\":\"tpm\",\"tpm\":" + LIMIT * reserves + "}");
        assertThat(burst(key, 4 * LIMIT)).isEqualTo(LIMIT);
    }

    @Test
    void aKeyRevokedOnOneNodeIsRefusedOnTheOtherWithinASecond() throws Exception {
        Created created = create("{\"name\":\"revoked\"}");
        String id = created.id();
        String secret = created.secret();
        assertThat(get(nodes.get(1), "/v1/models", secret)).isEqualTo(200); // remembered there now
        assertThat(send(nodes.get(0), "DELETE", "/admin/v1/keys/" + id, ADMIN, null).statusCode()).isEqualTo(200);
        Instant revoked = Instant.now();
        while (get(nodes.get(1), "/v1/models", secret) != 401) {
            assertThat(Duration.between(revoked, Instant.now())).isLessThan(Duration.ofSeconds(1));
            Thread.sleep(20);
        }
        assertThat(Duration.between(revoked, Instant.now())).isLessThan(Duration.ofSeconds(1));
    }

    // --- helpers

    private static String chat() {
        return "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":"
                + MAX_TOKENS + "}";
    }

    /** {@code count} requests at once, alternating between the nodes; how many were answered 200. */
    private static long burst(String key, int count) throws Exception {
        awayFromAMinuteBoundary();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(http.sendAsync(request(nodes.get(i % 2), "POST", "/v1/chat/completions", key, chat()),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long ok = 0;
        for (var f : sent) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).as(r.body()).isIn(200, 429);
            if (r.statusCode() == 200) ok++;
        }
        return ok;
    }

    /** The limits count per calendar minute: a burst must not straddle two. */
    private static void awayFromAMinuteBoundary() throws InterruptedException {
        long intoMinute = System.currentTimeMillis() % 60_000;
        if (intoMinute > 45_000) Thread.sleep(60_500 - intoMinute);
    }

    private record Created(String id, String secret) {
    }

    private static String key(String body) throws Exception {
        return create(body).secret();
    }

    private static Created create(String body) throws Exception {
        String org = organization();
        HttpResponse<String> r = send(nodes.get(0), "POST", "/admin/v1/organizations/" + org + "/keys", ADMIN, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
        return new Created(json.path("id").asText(), json.path("key").asText());
    }

    private static String organization;

    private static synchronized String organization() throws Exception {
        if (organization == null) {
            HttpResponse<String> r = send(nodes.get(1), "POST", "/admin/v1/organizations", ADMIN, "{\"name\":\"two\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            organization = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("id").asText();
        }
        return organization;
    }

    private static int get(URI node, String path, String key) throws Exception {
        return send(node, "GET", path, key, null).statusCode();
    }

    private static HttpResponse<String> send(URI node, String method, String path, String key, String body)
            throws Exception {
        return http.send(request(node, method, path, key, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(URI node, String method, String path, String key, String body) {
        return HttpRequest.newBuilder(node.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
