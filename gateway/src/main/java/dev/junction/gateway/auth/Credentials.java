package dev.junction.gateway.auth;

import java.util.Optional;
import java.util.function.Function;

/** Finds the API key a request presents: {@code Authorization: Bearer …}, or {@code api-key: …} as Azure clients send. */
public final class Credentials {
    private Credentials() {
    }

    /** The presented secret, or empty when the request carries none. */
    public static Optional<String> secret(Function<String, String> headers) {
        String authorization = headers.apply("Authorization");
        if (authorization != null) {
            String value = authorization.strip();
            if (value.regionMatches(true, 0, "Bearer ", 0, 7)) return nonBlank(value.substring(7).strip());
            return Optional.empty();
        }
        String apiKey = headers.apply("api-key");
        return apiKey == null ? Optional.empty() : nonBlank(apiKey.strip());
    }

    private static Optional<String> nonBlank(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
}
