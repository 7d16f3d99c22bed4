package dev.junction.router.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.router.config.Secret;
import dev.junction.router.config.SupplierConfig;
import dev.junction.router.config.Timeouts;
import dev.junction.router.upstream.UpstreamRequest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how to call one remote supplier: an OpenAI-compatible service at {@code {url}/{endpoint}} with
 * {@code Authorization: Bearer}, or Azure OpenAI at
 * {@code {url}/openai/deployments/{model}/{endpoint}?api-version={version}} with an {@code api-key} header. Built from
 * the supplier's configuration; its {@code toString} never shows the key.
 */
public final class RemoteSupplier {
    private final String name;
    private final Kind kind;
    private final URI url;
    private final String apiVersion;
    private final Optional<Secret> apiKey;
    private final Timeouts timeouts;

    private enum Kind { OPENAI, AZURE }

    private RemoteSupplier(String name, Kind kind, URI url, String apiVersion, Optional<Secret> apiKey,
                           Timeouts timeouts) {
        this.name = name;
        this.kind = kind;
        this.url = url;
        this.apiVersion = apiVersion;
        this.apiKey = apiKey;
        this.timeouts = timeouts;
    }

    public static RemoteSupplier of(SupplierConfig.OpenAi c) {
        return new RemoteSupplier(c.name(), Kind.OPENAI, c.url(), null, c.apiKey(), c.timeouts());
    }

    public static RemoteSupplier of(SupplierConfig.AzureOpenAi c) {
        return new RemoteSupplier(c.name(), Kind.AZURE, c.url(), c.apiVersion(), Optional.of(c.apiKey()),
                c.timeouts());
    }

    public String name() {
        return name;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    /** The call that passes the client's body to this supplier's {@code model}. */
    public UpstreamRequest request(Endpoint endpoint, String model, ObjectNode clientBody) {
        byte[] body = WireBodies.forUpstream(clientBody, model);
        boolean stream = WireBodies.streams(clientBody);
        return switch (kind) {
            case OPENAI -> new UpstreamRequest(URI.create(url + "/" + endpoint.path()),
                    apiKey.map(k -> Map.of("Authorization", "Bearer " + k.reveal())).orElse(Map.of()), body, stream,
                    timeouts);
            case AZURE -> new UpstreamRequest(URI.create(url + "/openai/deployments/"
                    + URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20") + "/" + endpoint.path()
                    + "?api-version=" + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8)),
                    Map.of("api-key", apiKey.orElseThrow().reveal()), body, stream, timeouts);
        };
    }

    @Override
    public String toString() {
        return "RemoteSupplier[" + name + ", " + kind + " at " + url + "]";
    }
}
