package dev.junction.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.junction.gateway.db.DatabaseUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The business edition as an application meets it: the official OpenAI Java SDK with a Junction key, against
 * {@code serve --auth} on the real test model — normal use, the 429 with OpenAI's rate-limit headers, 401 for a
 * revoked key, 403 for a model outside the key's list — and the usage ledger adding up to what the SDK was told.
 */
class GatewaySdkTest {
    @TempDir
    static Path dir;
    static GatewayServe serve;
    static String org;

    @BeforeAll
    static void start() {
        serve = GatewayServe.start(DatabaseUrl.sqlite(dir.resolve("junction.db")));
        org = serve.organization("sdk", "");
    }

    @AfterAll
    static void stop() {
        if (serve != null) serve.close();
    }

    static OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(serve.baseUri().resolve("/v1").toString()).apiKey(key)
                .maxRetries(0).timeout(Duration.ofSeconds(60)).build();
    }

    static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder().model(GatewayServe.MODEL).addUserMessage("Once upon a time")
                .maxCompletionTokens(6);
    }

    @Test
    void aKeyWorksLikeAnOpenAiKeyAndItsUsageIsMeteredExactly() {
        JsonNode key = serve.key(org, ",\"tpm\":100000");
        OpenAIClient openai = sdk(key.path("key").asText());

        HttpResponseFor<ChatCompletion> first = openai.chat().completions().withRawResponse().create(chat().build());
        ChatCompletion completion = first.parse();
        completion.validate();
        assertThat(first.headers().values("x-ratelimit-limit-tokens")).containsExactly("100000");
        long told = completion.usage().orElseThrow().totalTokens();

        var options = ChatCompletionStreamOptions.builder().includeUsage(true).build();
        List<ChatCompletionChunk> chunks = OpenAiSdk.drain(openai.chat().completions()
                .createStreaming(chat().streamOptions(options).build()));
        told += chunks.stream().filter(c -> c.usage().isPresent()).mapToLong(c -> c.usage().get().totalTokens()).sum();

        serve.flushUsage();
        JsonNode report = serve.admin("GET", "/admin/v1/usage?key=" + key.path("id").asText() + "&group_by=model",
                null).json();
        assertThat(report.path("totals").path("requests").asLong()).isEqualTo(2);
        assertThat(report.path("totals").path("total_tokens").asLong()).isEqualTo(told);
        assertThat(report.path("rows").get(0).path("group").asText()).isEqualTo(GatewayServe.MODEL);

        JsonNode self = serve.call("GET", "/v1/usage", key.path("key").asText(), null).json();
        assertThat(self.path("key").path("this_month").path("total_tokens").asLong()).isEqualTo(told);
        assertThat(self.path("key").path("limits").path("tpm").path("limit").asLong()).isEqualTo(100000);
    }

    @Test
    void overTheRequestLimitTheSdkGetsA429WithOpenAisHeaders() throws InterruptedException {
        long intoMinute = System.currentTimeMillis() % 60_000; // the limit counts per calendar minute:
        if (intoMinute > 55_000) Thread.sleep(60_500 - intoMinute); // the three requests must not straddle two
        JsonNode key = serve.key(org, ",\"rpm\":2");
        OpenAIClient openai = sdk(key.path("key").asText());
        HttpResponseFor<ChatCompletion> ok = openai.chat().completions().withRawResponse().create(chat().build());
        assertThat(ok.headers().values("x-ratelimit-limit-requests")).containsExactly("2");
        assertThat(ok.headers().values("x-ratelimit-remaining-requests")).containsExactly("1");
        // OpenAI's durations: 20ms, 6s, 1m0s (a request at the very start of a minute)
        assertThat(ok.headers().values("x-ratelimit-reset-requests").getFirst())
                .matches("(\\d+h)?(\\d+m)?\\d+s|\\d+ms");
        openai.chat().completions().create(chat().build());

        assertThatThrownBy(() -> openai.chat().completions().create(chat().build()))
                .isInstanceOfSatisfying(RateLimitException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.code()).contains("rate_limit_exceeded");
                    assertThat(e.type()).contains("rate_limit_error");
                    assertThat(e.headers().values("x-ratelimit-remaining-requests")).containsExactly("0");
                    assertThat(Integer.parseInt(e.headers().values("retry-after").getFirst())).isBetween(1, 60);
                });
    }

    @Test
    void aMonthlyQuotaUsedUpIsInsufficientQuota() {
        JsonNode key = serve.key(org, ",\"monthly_tokens\":10");
        assertThatThrownBy(() -> sdk(key.path("key").asText()).chat().completions().create(chat().build()))
                .as("prompt estimate plus 6 tokens is more than 10 left").isInstanceOfSatisfying(
                        RateLimitException.class, e -> assertThat(e.code()).contains("insufficient_quota"));
    }

    @Test
    void aRevokedKeyIsRefusedWith401() {
        JsonNode key = serve.key(org, "");
        OpenAIClient openai = sdk(key.path("key").asText());
        openai.chat().completions().create(chat().build());

        assertThat(serve.admin("DELETE", "/admin/v1/keys/" + key.path("id").asText(), null).status()).isEqualTo(200);
        assertThatThrownBy(() -> openai.chat().completions().create(chat().build()))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.code()).contains("invalid_api_key");
                });
        assertThatThrownBy(() -> sdk("jk-not-a-key-of-this-server-at-all").models().list())
                .isInstanceOf(UnauthorizedException.class);
    }

    @Test
    void aModelOutsideTheKeysListIs403AndNotListed() {
        JsonNode key = serve.key(org, ",\"models\":[\"some-other-model\"]");
        OpenAIClient openai = sdk(key.path("key").asText());
        assertThatThrownBy(() -> openai.chat().completions().create(chat().build()))
                .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.code()).contains("model_not_allowed");
                });
        assertThat(openai.models().list().data()).as("the key's list names no model served here").isEmpty();
        assertThatThrownBy(() -> openai.models().retrieve(GatewayServe.MODEL)).isInstanceOf(NotFoundException.class);

        OpenAIClient allowed = sdk(serve.key(org, ",\"models\":[\"" + GatewayServe.MODEL + "\"]").path("key").asText());
        assertThat(allowed.models().list().data()).extracting(m -> m.id()).containsExactly(GatewayServe.MODEL);
        assertThat(allowed.models().retrieve(GatewayServe.MODEL).id()).isEqualTo(GatewayServe.MODEL);
    }

    @Test
    void azureStyleApiKeyHeaderAndNoKeyAtAll() {
        JsonNode key = serve.key(org, "");
        var withApiKey = serve.call("GET", "/v1/models", null, null);
        assertThat(withApiKey.status()).isEqualTo(401);
        assertThat(withApiKey.json().path("error").path("code").asText()).isEqualTo("invalid_api_key");
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(URI.create(serve.baseUri() + "/v1/models"))
                    .header("api-key", key.path("key").asText()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(serve.call("GET", "/health", null, null).status()).as("health needs no key").isEqualTo(200);
    }
}
