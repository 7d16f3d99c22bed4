package dev.junction.router.remote;

import dev.junction.openai.relay.Endpoint;
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

    /** {@code LOCAL}: Junction's own engine, served on a loopback port of this process. */
    private enum Kind { OPENAI, AZURE, LOCAL }

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

    /**
     * The in-process engine, which this process serves on {@code base} (a loopback {@code …/v1}). Its error bodies
     * are Junction's own and may be shown to clients; it cannot run {@code tools} yet.
     */
    public static RemoteSupplier local(SupplierConfig.Local c, URI base) {
        return new RemoteSupplier(c.name(), Kind.LOCAL, base, null, Optional.empty(), Timeouts.DEFAULTS);
    }

    /** Whether this is the in-process engine, whose error messages are Junction's own. */
    public boolean isLocal() {
        return kind == Kind.LOCAL;
    }

    /** Whether it can answer a request with {@code tools} (or the older {@code functions}). */
    public boolean canUseTools() {
        return kind != Kind.LOCAL;
    }

    /** A cheap call that says whether the supplier answers at all: its model list. */
    public UpstreamRequest probe() {
        Timeouts t = new Timeouts(timeouts.connect(), timeouts.connect().plusSeconds(5),
                timeouts.connect().plusSeconds(5), timeouts.connect().plusSeconds(5));
        return switch (kind) {
            case OPENAI, LOCAL -> new UpstreamRequest(URI.create(url + "/models"), bearer(), null, false, t);
            case AZURE -> new UpstreamRequest(URI.create(url + "/openai/models?api-version="
                    + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8)),
                    Map.of("api-key", apiKey.orElseThrow().reveal()), null, false, t);
        };
    }

    private Map<String, String> bearer() {
        return apiKey.map(k -> Map.of("Authorization", "Bearer " + k.reveal())).orElse(Map.of());
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
            case OPENAI, LOCAL -> new UpstreamRequest(URI.create(url + "/" + endpoint.path()), bearer(), body, stream,
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
