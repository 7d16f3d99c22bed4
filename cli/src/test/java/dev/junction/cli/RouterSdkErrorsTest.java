package dev.junction.cli;

import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import dev.junction.testkit.upstream.EventGate;
import dev.junction.testkit.upstream.FakeUpstream;
import dev.junction.testkit.upstream.Fault;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The router as applications meet it ({@link RouterSdkFixture}: {@code serve --config junction.yaml} over fake
 * upstreams that fail on demand, used through the official OpenAI Java SDK): how a request fails. An unknown model is a
 * 404, a malformed body a 400, and when every deployment is full the answer is a 429 with Retry-After, none of them
 * reaching a supplier; a supplier's refusal is a 400 that never shows its body; a failure before the answer fails over
 * to the next tier and the headers say so; with every supplier down the answers are 502 until the breakers open, then
 * 503; a supplier that never answers is a 504; a client that leaves makes the router drop the upstream call. Each test
 * has its own public model (and where it needs faults, its own upstream), so the tests do not depend on each other's
 * traffic; after each, nothing may be left in flight and no log line may show a credential.
 */
class RouterSdkErrorsTest extends RouterSdkFixture {
    // --- errors

    @Test
    void anUnknownModelIsNotFound() {
        var error = catchThrowableOfType(NotFoundException.class,
                () -> openai.chat().completions().create(chat("no-such-model").build()));

        assertThat(error.statusCode()).isEqualTo(404);
        assertThat(error.code()).contains("model_not_found");
        assertThat(error.getMessage()).contains("no-such-model");
    }

    @Test
    void aMalformedBodyIsABadRequest() throws Exception {
        long before = completionsReceived(s1);
        Map<String, String> bodies = Map.of(
                "not JSON", "{\"model\":\"tiny\",\"messages\":[",
                "not an object", "[{\"model\":\"tiny\"}]",
                "no model", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "a model that is no string", "{\"model\":7,\"messages\":[]}");
        for (var body : bodies.entrySet()) {
            HttpResponse<String> r = post("/v1/chat/completions", body.getValue());
            assertThat(r.statusCode()).as(body.getKey()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("error").path("type").asText()).as(body.getKey())
                    .isEqualTo("invalid_request_error");
        }
        assertThat(completionsReceived(s1)).isEqualTo(before);
    }

    @Test
    void whenEveryDeploymentIsFullTheAnswerIs429WithRetryAfter() throws Exception {
        EventGate gate = new EventGate();
        narrow.fault(Fault.gated(gate));
        RateLimitException refused;
        RateLimitException refusedToo;
        ChatCompletion served;
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<ChatCompletion> holding = clients.submit(() -> openai.chat().completions()
                    .create(chat("full").build()));
            try {
                assertThat(eventually(() -> completionsReceived(narrow) == 1)).isTrue(); // it holds the one place
                refused = catchThrowableOfType(RateLimitException.class,
                        () -> openai.chat().completions().create(chat("full").build()));
                // the contract is the supplier's: another model on it finds it full too
                refusedToo = catchThrowableOfType(RateLimitException.class,
                        () -> openai.chat().completions().create(chat("full-too").build()));
            } finally {
                gate.open();
                narrow.healthy();
            }
            served = holding.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refusedToo.statusCode()).isEqualTo(429);
        assertThat(refused.code()).contains("rate_limit_exceeded");
        assertThat(Integer.parseInt(refused.headers().values("Retry-After").getFirst())).isPositive();
        assertThat(served.choices()).hasSize(1);
        assertThat(completionsReceived(narrow)).isEqualTo(1); // the refused request never reached the supplier
        assertThat(metric("junction_router_requests_total", "model", "full", "outcome", "success")).isEqualTo(1);
        assertThat(metric("junction_router_requests_total", "model", "full")).isEqualTo(1);
    }

    @Test
    void anUpstreamsRefusalIsA400ThatNeverShowsItsBody() throws Exception {
        s1.fault(Fault.http(400)).times(2);
        try {
            var error = catchThrowableOfType(BadRequestException.class,
                    () -> openai.chat().completions().create(chat("refused").build()));
            assertThat(error.statusCode()).isEqualTo(400);
            assertThat(error.getMessage()).doesNotContain(FakeUpstream.INTERNAL_MARKER);
            assertThat(error.headers().values("x-junction-supplier")).containsExactly("s1");
            assertThat(error.headers().values("x-junction-attempts")).containsExactly("1");

            HttpResponse<String> raw = post("/v1/chat/completions", "{\"model\":\"refused\",\"messages\":[]}");
            assertThat(raw.statusCode()).isEqualTo(400);
            assertThat(raw.body()).doesNotContain(FakeUpstream.INTERNAL_MARKER);
            assertThat(JSON.readTree(raw.body()).path("error").path("message").asText()).isNotEmpty();
        } finally {
            s1.healthy();
        }
        // the log says which supplier answered what (its credentials are checked after each test)
        assertThat(logged()).anyMatch(line -> line.contains("supplier s1") && line.contains("status 400"));
    }

    @Test
    void aFailureBeforeTheAnswerFailsOverAndTheHeadersSaySo() {
        flaky.fault(Fault.http(500)).times(2);
        try {
            HttpResponseFor<ChatCompletion> plain = openai.chat().completions().withRawResponse()
                    .create(chat("failover").build());
            assertRouted(plain, "s1", 2);
            assertThat(plain.parse().model()).isEqualTo("up-failover");

            HttpResponseFor<StreamResponse<ChatCompletionChunk>> streamed = openai.chat().completions()
                    .withRawResponse().createStreaming(chat("failover").build());
            assertRouted(streamed, "s1", 2);
            assertThat(content(OpenAiSdk.drain(streamed.parse()))).isEqualTo("tok0 tok1 tok2 tok3 ");
        } finally {
            flaky.healthy();
        }
        assertThat(completionsReceived(flaky)).isEqualTo(2);
        assertThat(metric("junction_router_retries_total", "model", "failover")).isEqualTo(2);
        assertThat(metric("junction_router_requests_total", "model", "failover", "supplier", "flaky",
                "outcome", "failed_before_answer")).isEqualTo(2);
        assertThat(metric("junction_router_requests_total", "model", "failover", "supplier", "s1",
                "outcome", "success")).isEqualTo(2);
        assertThat(metric("junction_router_requests_total", "model", "failover")).isEqualTo(4);
    }

    @Test
    void withEverySupplierDownTheAnswersAre502ThenOnceTheBreakersOpen503() throws Exception {
        downA.stop();
        downB.stop();
        try {
            var first = catchThrowableOfType(InternalServerException.class,
                    () -> openai.chat().completions().create(chat("down").build()));
            assertThat(first.statusCode()).isEqualTo(502);
            assertThat(first.code()).contains("upstream_error");
            assertThat(first.type()).contains("server_error");
            assertThat(first.headers().values("x-junction-supplier")).containsExactly("down-b");
            assertThat(first.headers().values("x-junction-attempts")).containsExactly("2");

            List<Integer> statuses = new ArrayList<>(List.of(502));
            while (statuses.getLast() != 503 && statuses.size() < 20) {
                var error = catchThrowableOfType(InternalServerException.class,
                        () -> openai.chat().completions().create(chat("down").build()));
                assertThat(error.type()).contains("server_error");
                assertThat(error.getMessage()).contains("'down'");
                statuses.add(error.statusCode());
            }
            System.out.println("statuses with every supplier down: " + statuses);
            assertThat(statuses).containsOnly(502, 503).endsWith(503);
            // each 502 tried both suppliers once; the 503 tried none
            long tried = statuses.stream().filter(s -> s == 502).count() * 2;
            assertThat(metric("junction_router_requests_total", "model", "down", "outcome", "failed_before_answer"))
                    .isEqualTo(tried);
            assertThat(metric("junction_router_requests_total", "model", "down")).isEqualTo(tried);
        } finally {
            downA.restart();
            downB.restart();
        }
        assertThat(completionsReceived(downA) + completionsReceived(downB)).isZero();
    }

    @Test
    void aSupplierThatNeverAnswersIsA504() {
        silent.fault(Fault.neverAnswer());
        try {
            var error = catchThrowableOfType(InternalServerException.class,
                    () -> openai.chat().completions().create(chat("slow").build()));

            assertThat(error.statusCode()).isEqualTo(504);
            assertThat(error.code()).contains("upstream_error");
            assertThat(error.headers().values("x-junction-supplier")).containsExactly("silent");
        } finally {
            silent.healthy();
        }
    }

    @Test
    void aClientThatLeavesBeforeItsAnswerMakesTheRouterDropTheUpstreamCall() throws Exception {
        held.fault(Fault.neverAnswer()); // only the router hanging up ends the upstream's connection
        try {
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), serving.port())) {
                client.getOutputStream().write(RawHttp.post("/v1/chat/completions",
                        "{\"model\":\"held\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
                assertThat(eventually(() -> completionsReceived(held) == 1)).isTrue();
                assertThat(deployment("held", "held").inFlight()).isEqualTo(1);
            }

            assertThat(held.awaitConnectionClosed(lastCompletion(held).connection(), DEADLINE)).isTrue();
            assertThat(eventually(() -> metricOrZero("junction_router_requests_total", "model", "held",
                    "outcome", "client_gone") == 1)).isTrue();
            assertThat(metricOrZero("junction_router_requests_total", "model", "held")).isEqualTo(1);
        } finally {
            held.healthy();
        }
    }
}
