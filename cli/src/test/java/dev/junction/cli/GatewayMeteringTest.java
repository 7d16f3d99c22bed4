package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.gateway.db.DatabaseUrl;
import dev.junction.testkit.upstream.EventGate;
import dev.junction.testkit.upstream.Fault;
import dev.junction.testkit.upstream.FakeUpstream;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger adds up to what clients were told, when routed to a real upstream over HTTP: answered requests and
 * streams with the supplier's counts and its price; a stream the upstream cut midway (FAILED, the tokens passed
 * on); a stream the client cut (CANCELLED, the tokens generated until then); and a monthly budget that refuses.
 */
class GatewayMeteringTest {
    @TempDir
    Path dir;
    FakeUpstream upstream;
    GatewayServe serve;
    String key;

    @BeforeEach
    void start() throws Exception {
        upstream = FakeUpstream.builder().models("tiny").defaultMaxTokens(8).start();
        serve = GatewayServe.startRouted(DatabaseUrl.sqlite(dir.resolve("junction.db")), dir, """
                suppliers:
                  s1: {kind: openai, url: "%s", price: {input: 1.0, output: 2.0}}
                models:
                  tiny: {deployments: [{supplier: s1}]}
                """.formatted(upstream.openAiBaseUri()));
        key = serve.key(serve.organization("m", ""), "").path("key").asText();
    }

    @AfterEach
    void stop() {
        if (serve != null) serve.close();
        if (upstream != null) upstream.close();
    }

    private String body(boolean stream) {
        return body(stream, 6);
    }

    private String body(boolean stream, int maxTokens) {
        return "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}],"
                + "\"max_tokens\":" + maxTokens
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + "}";
    }

    private record Row(int outcome, long prompt, long completion, long price, String supplier) {
    }

    private List<Row> rows() {
        serve.flushUsage();
        return serve.front().gateway().database().withHandle((Handle h) -> h.createQuery(
                        "SELECT r.outcome, r.prompt_tokens, r.completion_tokens, r.price_micros, l.name "
                                + "FROM usage_records r LEFT JOIN usage_labels l ON l.id = r.supplier_label ORDER BY r.at")
                .map((rs, ctx) -> new Row(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5)))
                .list());
    }

    @Test
    void answersAndStreamsAreMeteredWithTheSuppliersCountsAndPrice() {
        JsonNode plain = serve.call("POST", "/v1/chat/completions", key, body(false)).json();
        GatewayServe.Reply streamed = serve.call("POST", "/v1/chat/completions", key, body(true));
        JsonNode streamUsage = null;
        for (String line : streamed.raw().body().split("\n")) {
            if (line.startsWith("data: {") && line.contains("\"usage\":{")) {
                streamUsage = parse(line.substring(6));
            }
        }
        assertThat(streamUsage).isNotNull();
        long prompt = plain.path("usage").path("prompt_tokens").asLong()
                + streamUsage.path("usage").path("prompt_tokens").asLong();
        long completion = plain.path("usage").path("completion_tokens").asLong()
                + streamUsage.path("usage").path("completion_tokens").asLong();

        assertThat(rows()).hasSize(2).allSatisfy(r -> {
            assertThat(r.outcome()).as("answered").isEqualTo(1);
            assertThat(r.supplier()).isEqualTo("s1");
            assertThat(r.price()).as("1 and 2 units per million tokens").isEqualTo(r.prompt() + 2 * r.completion());
        });
        JsonNode totals = serve.admin("GET", "/admin/v1/usage?group_by=supplier", null).json().path("totals");
        assertThat(totals.path("prompt_tokens").asLong()).isEqualTo(prompt);
        assertThat(totals.path("completion_tokens").asLong()).isEqualTo(completion);
        assertThat(totals.path("spend").asDouble()).isEqualTo((prompt + 2 * completion) / 1e6);
    }

    @Test
    void aStreamTheUpstreamCutIsFailedWithTheTokensPassedOn() {
        upstream.fault(new Fault.CutStream(3, Fault.Cut.CLOSE)).times(1);
        GatewayServe.Reply cut = serve.call("POST", "/v1/chat/completions", key, body(true));
        long passed = cut.raw().body().lines().filter(l -> l.startsWith("data: {") && l.contains("\"content\"")).count();

        assertThat(rows()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).as("failed midway").isEqualTo(3);
            assertThat(r.completion()).isEqualTo(passed).isPositive();
            assertThat(r.prompt()).as("estimated").isPositive();
        });
    }

    @Test
    void aStreamTheClientCutIsCancelledWithTheTokensGeneratedUntilThen() throws Exception {
        EventGate gate = new EventGate();
        upstream.fault(new Fault.Gated(gate)).times(1);
        String request = body(true, 500);
        try (Socket socket = new Socket(serve.baseUri().getHost(), serve.baseUri().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + request.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n" + request).getBytes(StandardCharsets.UTF_8));
            out.flush();
            gate.release(3);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int events = 0;
            for (String line; events < 2 && (line = in.readLine()) != null; ) {
                if (line.startsWith("data: {")) events++;
            }
            assertThat(events).isEqualTo(2);
        }
        Thread.sleep(200);
        gate.open();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (rows().isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(rows()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).as("the client left").isEqualTo(2);
            assertThat(r.completion()).isBetween(2L, 499L);
        });
    }

    @Test
    void aMonthlyBudgetRefusesWhatCouldOverrunItAndIsNeverExceeded() {
        String budgeted = serve.key(serve.organization("b", ",\"monthly_spend\":0.0001"), "").path("key").asText();
        int answered = 0;
        GatewayServe.Reply last = null;
        for (int i = 0; i < 30; i++) {
            last = serve.call("POST", "/v1/chat/completions", budgeted, body(false));
            if (last.status() != 200) break;
            answered++;
        }
        assertThat(answered).as("each reserves its prompt estimate plus 6 x 2, then settles lower").isPositive();
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.json().path("error").path("code").asText()).isEqualTo("insufficient_quota");
        assertThat(last.header("Retry-After")).isNotNull();
        long spent = rows().stream().mapToLong(Row::price).sum();
        assertThat(spent).as("the budget of 100 micro-units holds").isPositive().isLessThanOrEqualTo(100);
    }

    private static JsonNode parse(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
