package dev.junction.cli;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The official OpenAI Java SDK pointed at a running {@code junction serve}, as an application would use it. */
final class OpenAiSdk {
    private OpenAiSdk() {
    }

    /** A client for the server at {@code base}; it does not retry, so errors show. */
    static OpenAIClient client(URI base) {
        return OpenAIOkHttpClient.builder().baseUrl(base.resolve("/v1").toString()).apiKey("not-checked")
                .maxRetries(0).timeout(Duration.ofSeconds(120)).build();
    }

    /** Every element of a stream, read to its end. */
    static <T> List<T> drain(StreamResponse<T> stream) {
        try (stream) {
            return stream.stream().toList();
        }
    }
}
