package dev.junction.testkit.upstream;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request as {@link FakeUpstream} received it, for a test to check what a client (a router) sent.
 *
 * @param connection which connection it came on (numbered from 1 per upstream), to see connections being reused
 * @param method     e.g. {@code POST}
 * @param target     the request target as sent: path and query, e.g. {@code /openai/deployments/d/chat/completions?api-version=2024-10-21}
 * @param headers    header names in lower case, each with its values in the order received
 * @param body       the body's bytes exactly as received (a chunked body already reassembled)
 */
public record ReceivedRequest(int connection, String method, String target, Map<String, List<String>> headers,
                              byte[] body) {

    private static final Pattern AZURE_PATH = Pattern.compile("/openai/deployments/([^/]+)/(chat/completions|completions)");

    public ReceivedRequest {
        headers = Map.copyOf(headers);
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The target without its query. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The first value of the query parameter {@code name}, decoded. */
    public Optional<String> query(String name) {
        int q = target.indexOf('?');
        if (q < 0) return Optional.empty();
        for (String pair : target.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(key).equals(name)) return Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return Optional.empty();
    }

    /** The first value of header {@code name} (any case). */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** For an Azure OpenAI path ({@code /openai/deployments/{deployment}/...}), the deployment's name. */
    public Optional<String> azureDeployment() {
        Matcher m = AZURE_PATH.matcher(path());
        return m.matches() ? Optional.of(decode(m.group(1))) : Optional.empty();
    }

    @Override
    public String toString() {
        return method + " " + target + " (connection " + connection + ", " + body.length + " body bytes)";
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
